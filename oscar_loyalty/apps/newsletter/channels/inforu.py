"""InforU (InforUMobile) over its classic XML HTTP API; message ids for its delivery notifications.

Options: ``username`` and ``password`` (the account's API user; an API token
goes where the password does), ``sender`` (an alphanumeric sender id or a
number), ``delivery_notification_url`` (the status webhook's absolute URL,
secret included), ``webhook_secret`` (the secret in both webhook URLs) and
``base_url`` (``https://api.inforu.co.il``).

The API (InforU's "SMS Gateway Interface" guide, v4.5–4.9; the same format the
``iplan/smsim`` client sends): ``POST /SendMessageXml.ashx`` with the form field
``InforuXML``::

    <Inforu><User><Username/><Password/></User>
      <Content Type="sms"><Message>…</Message></Content>
      <Recipients><PhoneNumber>0501111111;0502222222</PhoneNumber></Recipients>
      <Settings><Sender/><CustomerMessageId/><DeliveryNotificationUrl/></Settings></Inforu>

One request carries one text to many numbers, so messages are grouped by
text (a campaign without ``{first_name}`` goes in one request per batch).
The answer is one ``<Result><Status>1</Status>…`` for the whole request;
its ``CustomerMessageId`` and the number name each recipient in the delivery
notification, so a row's id is ``<CustomerMessageId>/<E.164 number>``.
Hebrew needs nothing: the XML is UTF-8 and InforU picks the encoding.

Result statuses (the guide; ``smsim``'s error map): 1 accepted; -13, -14,
-15 a quota is exhausted (retried, 503); -2, -3, -4, -22, -26 the account
cannot send (the chunk fails); -6, -17, -18 no valid recipient (invalid);
any other status fails the request's messages.
"""

from __future__ import annotations

import uuid
from xml.etree import ElementTree

from oscar_loyalty import phones

from .base import BaseBackend, ChannelAPIError, ChannelMessage, RecipientStatus
from .hooks import parse_xml

RETRY = {"-13", "-14", "-15"}
ACCOUNT = {"-2", "-3", "-4", "-22", "-26"}
INVALID = {"-6", "-17", "-18"}


def local_number(e164: str) -> str:
    """Israeli numbers as InforU and 019 write them (``0501234567``); others as digits."""
    digits = e164.lstrip("+")
    return f"0{digits[3:]}" if digits.startswith("972") else digits


def from_local(number: str) -> str:
    """A number as a provider reports it, back in E.164 ("" if it is not a number)."""
    try:
        return phones.to_e164(number.strip(), region="IL")
    except phones.InvalidPhoneNumber:
        return ""


def group_by_body(messages: list[ChannelMessage]) -> list[list[ChannelMessage]]:
    groups: dict[str, list[ChannelMessage]] = {}
    for message in messages:
        groups.setdefault(message.body, []).append(message)
    return list(groups.values())


def xml_text(root: ElementTree.Element, path: str) -> str:
    node = root.find(path)
    return (node.text or "").strip() if node is not None else ""


class InforuBackend(BaseBackend):
    name = "inforu"
    channels = ("sms",)
    batch_size = 100
    username = ""
    password = ""
    sender = ""
    delivery_notification_url = ""
    webhook_secret = ""
    base_url = "https://api.inforu.co.il"

    def build_payloads(self, messages):
        return [(self.build_group(group), group) for group in group_by_body(messages)]

    def build_group(self, group: list[ChannelMessage]) -> dict:
        customer_id = uuid.uuid4().hex
        root = ElementTree.Element("Inforu")
        user = ElementTree.SubElement(root, "User")
        ElementTree.SubElement(user, "Username").text = self.username
        ElementTree.SubElement(user, "Password").text = self.password
        content = ElementTree.SubElement(root, "Content", Type="sms")
        ElementTree.SubElement(content, "Message").text = group[0].body
        recipients = ElementTree.SubElement(root, "Recipients")
        numbers = ";".join(local_number(m.to) for m in group)
        ElementTree.SubElement(recipients, "PhoneNumber").text = numbers
        settings = ElementTree.SubElement(root, "Settings")
        ElementTree.SubElement(settings, "Sender").text = self.sender
        ElementTree.SubElement(settings, "CustomerMessageId").text = customer_id
        if self.delivery_notification_url:
            url = ElementTree.SubElement(settings, "DeliveryNotificationUrl")
            url.text = self.delivery_notification_url
        xml = ElementTree.tostring(root, encoding="unicode")
        return {"InforuXML": xml, "customer_id": customer_id}

    def post(self, payload: dict):
        url = f"{self.base_url.rstrip('/')}/SendMessageXml.ashx"
        response = self.http("POST", url, data={"InforuXML": payload["InforuXML"]})
        try:
            root = parse_xml(response.content)
        except ValueError as exc:
            raise ChannelAPIError("inforu: unreadable answer", body=response.text) from exc
        status = xml_text(root, "Status")
        if status in RETRY:
            raise ChannelAPIError(f"inforu status {status}", status_code=503, body=response.text)
        if status in ACCOUNT:
            raise ChannelAPIError(f"inforu status {status}", status_code=401, body=response.text)
        return root, payload["customer_id"]

    def parse_response(self, response, messages):
        root, customer_id = response
        status = xml_text(root, "Status")
        error = f"{status}: {xml_text(root, 'Description')}"
        result = {}
        for message in messages:
            message_id = f"{customer_id}/{message.to}"
            if status == "1":
                result[message.ref] = RecipientStatus("queued", message_id=message_id)
            else:
                outcome = "invalid" if status in INVALID else "failed"
                result[message.ref] = RecipientStatus(outcome, message_id=message_id, error=error)
        return result
