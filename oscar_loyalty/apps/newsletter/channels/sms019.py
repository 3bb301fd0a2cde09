"""019 (019 Mobile, 019sms) over its XML API: one text to many destinations, each with our id.

Options: ``username``, ``token`` (the API token, sent as ``Authorization:
Bearer``), ``source`` (a sender id of up to 11 letters and digits, or a
number), ``base_url`` (``https://019sms.co.il``) and ``add_unsubscribe``
(``2``, the default: 019 handles "הסר" replies itself and refuses the number
from then on; ``None`` leaves it out).

The API (https://docs.019sms.co.il/sms/send-sms.html): ``POST /api`` with::

    <sms><user><username>…</username></user><source>…</source>
      <destinations><phone id="…">05xxxxxxxx</phone>…</destinations>
      <message>…</message></sms>

Each ``<phone>`` carries an ``id`` of ours, the "external id" 019's delivery
reports are asked for and answered by (https://docs.019sms.co.il/sms/reports.html),
so it is the row's message id. Messages are grouped by text (one request
per distinct text). The answer's ``<status>`` is 0 when 019 accepted the
request; any other status refuses every message of the request, with 019's
``<message>`` kept as the reason. Hebrew needs nothing: the XML is UTF-8.

``add_unsubscribe`` 2 is "remove by return SMS": 019 takes the replies to
its sender and keeps the numbers that asked to be removed on its removal
list. Our ledger learns of such a refusal only when 019 refuses a later
message to that number: its delivery report (17, 201) is read by
``sms019_reports.poll_reports`` and recorded as a refusal.
"""

from __future__ import annotations

import uuid
from xml.etree import ElementTree

from .base import BaseBackend, ChannelAPIError, ChannelMessage, RecipientStatus
from .hooks import parse_xml
from .inforu import group_by_body, local_number, xml_text

#: The answer's status when every destination is on the account's blocked list
#: (https://docs.textme.co.il/sms/errors-and-status.html, "Error codes").
BLOCKED_LIST = "8"


class Sms019Backend(BaseBackend):
    name = "019"
    channels = ("sms",)
    batch_size = 100
    username = ""
    token = ""
    source = ""
    base_url = "https://019sms.co.il"
    add_unsubscribe: int | None = 2

    def build_payloads(self, messages):
        return [(self.build_group(group), group) for group in group_by_body(messages)]

    def external_id(self, message: ChannelMessage, batch: str) -> str:
        # Unique per attempt (019 advises never reusing an id), and names the row.
        return f"ol{message.ref}-{batch}"

    def build_group(self, group: list[ChannelMessage]) -> dict:
        batch = uuid.uuid4().hex[:10]
        root = ElementTree.Element("sms")
        user = ElementTree.SubElement(root, "user")
        ElementTree.SubElement(user, "username").text = self.username
        ElementTree.SubElement(root, "source").text = self.source
        destinations = ElementTree.SubElement(root, "destinations")
        ids = {}
        for message in group:
            ids[message.ref] = self.external_id(message, batch)
            phone = ElementTree.SubElement(destinations, "phone", id=ids[message.ref])
            phone.text = local_number(message.to)
        ElementTree.SubElement(root, "message").text = group[0].body
        if self.add_unsubscribe is not None:
            ElementTree.SubElement(root, "add_unsubscribe").text = str(self.add_unsubscribe)
        xml = ElementTree.tostring(root, encoding="unicode")
        return {"xml": f'<?xml version="1.0" encoding="UTF-8"?>{xml}', "ids": ids}

    def post(self, payload: dict):
        response = self.http(
            "POST",
            f"{self.base_url.rstrip('/')}/api",
            data=payload["xml"].encode("utf-8"),
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/xml; charset=utf-8",
            },
        )
        try:
            root = parse_xml(response.content)
        except ValueError as exc:
            raise ChannelAPIError("019: unreadable answer", body=response.text) from exc
        if root.find("status") is None:
            raise ChannelAPIError("019: no status in the answer", body=response.text)
        return root, payload["ids"]

    def parse_response(self, response, messages):
        root, ids = response
        status = xml_text(root, "status")
        if status == "0":
            return {m.ref: RecipientStatus("queued", message_id=ids[m.ref]) for m in messages}
        error = f"{status}: {xml_text(root, 'message')}"
        # 8, "All numbers are on a blocked list": every number of the request
        # is on the account's removal list (a personalised text is a request
        # per number). ``sms019_reports`` records it as a refusal.
        outcome = "rejected" if status == BLOCKED_LIST else "failed"
        return {
            m.ref: RecipientStatus(outcome, message_id=ids[m.ref], error=error) for m in messages
        }
