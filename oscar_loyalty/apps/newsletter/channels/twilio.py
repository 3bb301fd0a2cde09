"""Twilio, through its official SDK (extra ``sms``): SMS and WhatsApp on one Messages API.

Options: ``account_sid``, ``auth_token``, and ``from_number`` (an E.164 number
or an alphanumeric sender id) or ``messaging_service_sid``;
``status_callback`` (the delivery-report webhook's absolute URL). WhatsApp:
``channels=("whatsapp",)`` sends from ``whatsapp:<from_number>`` with the
campaign's template as ``content_sid`` and its parameters as
``content_variables`` (Twilio's Content API, approved templates).
``http_client`` takes a ``twilio.http.HttpClient`` (the SDK's hook; tests
replay recorded answers through it).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .base import BaseBackend, ChannelAPIError, ChannelMessage, RecipientStatus

ACCEPTED = {"accepted", "queued", "scheduled", "sending", "sent", "delivered"}


#: The outbox row's id in the status callback's query: Twilio signs the whole URL, so
#: the webhook can trust it, and a report finds its row even before (or without) the
#: worker recording Twilio's message id: the batch a killed worker left ``sending``.
OUTBOX_PARAMETER = "outbox"


def status_callback_for(url: str, ref) -> str:
    """``url`` with the outbox row's id added to its query (other parameters kept)."""
    parts = urlsplit(url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != OUTBOX_PARAMETER
    ]
    query.append((OUTBOX_PARAMETER, str(ref)))
    return urlunsplit(parts._replace(query=urlencode(query)))


class TwilioBackend(BaseBackend):
    name = "twilio"
    channels = ("sms", "whatsapp")
    batch_size = 100  # one request per message; the batch is the outbox's chunk
    account_sid = ""
    auth_token = ""
    from_number = ""
    messaging_service_sid = ""
    status_callback = ""
    http_client = None

    @property
    def client(self):
        try:
            from twilio.rest import Client
        except ImportError as exc:  # pragma: no cover - the extra is missing
            raise ImportError("Twilio needs the extra: pip install oscar-loyalty[sms]") from exc
        if not hasattr(self, "_client"):
            self._client = Client(self.account_sid, self.auth_token, http_client=self.http_client)
        return self._client

    def _address(self, number: str) -> str:
        return f"whatsapp:{number}" if "whatsapp" in self.channels_in_use else number

    @property
    def channels_in_use(self) -> tuple[str, ...]:
        return self.options.get("channels", ("sms",))

    def build_payload(self, message: ChannelMessage) -> dict:
        payload = {"to": self._address(message.to)}
        if self.messaging_service_sid:
            payload["messaging_service_sid"] = self.messaging_service_sid
        else:
            payload["from_"] = self._address(self.from_number)
        if message.template:
            payload["content_sid"] = message.template
            variables = {str(n): value for n, value in enumerate(message.parameters, start=1)}
            payload["content_variables"] = json.dumps(variables, ensure_ascii=False)
        else:
            payload["body"] = message.body
        if self.status_callback:
            payload["status_callback"] = status_callback_for(self.status_callback, message.ref)
        return payload

    def post(self, payload: dict):
        from requests import RequestException
        from twilio.base.exceptions import TwilioRestException

        try:
            return self.client.messages.create(**payload)
        except TwilioRestException as exc:
            raise ChannelAPIError(
                f"twilio error {exc.code}", status_code=exc.status, body=str(exc.msg)
            ) from exc
        except RequestException as exc:
            raise ChannelAPIError(f"twilio: {exc.__class__.__name__}") from exc

    def parse_response(self, response, messages):
        (message,) = messages
        status = str(response.status or "")
        if status in ACCEPTED:
            return {message.ref: RecipientStatus("queued", message_id=response.sid)}
        error = f"{response.error_code}: {response.error_message}"
        return {message.ref: RecipientStatus("failed", message_id=response.sid or "", error=error)}
