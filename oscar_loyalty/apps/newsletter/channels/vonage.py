"""Vonage's SMS API (formerly Nexmo) over plain HTTP, and its signed webhooks.

Options: ``api_key``, ``api_secret``, ``from_number`` (an E.164 number or an
alphanumeric sender id), ``status_callback`` (the delivery-receipt webhook's
absolute URL), ``signature_secret`` and ``signature_method`` (the dashboard's
"signature secret" and its algorithm: ``md5hash``, the default, or ``md5``,
``sha1``, ``sha256``, ``sha512`` for HMAC), and ``base_url``
(``https://rest.nexmo.com``).

Each message is one ``POST /sms/json`` (the API takes one ``to``); a text
with any character outside GSM-7 (Hebrew) goes as ``type=unicode``, else
Vonage would replace it by "?". The answer lists one entry per part; the first
part's ``message-id`` is the message's id (the delivery receipt of the first
part settles the row; the other parts' receipts name ids no row has).

Status codes (https://developer.vonage.com/api-errors/sms): 0 accepted;
1 throttled and 5 internal error are retried (raised as 429/503 when no part
was accepted); 9 "quota violation, top up and retry" too; 2, 3, 6, 12, 22 say
the message or the number is invalid; 7, 29, 33 that this number cannot take
it; 4, 8, 11, 14, 15, 32 that the account cannot send at all (raised, so the
whole chunk fails rather than each row in turn).
"""

from __future__ import annotations

import hashlib
import hmac

from .base import BaseBackend, ChannelAPIError, ChannelMessage, RecipientStatus
from .text import is_gsm7

RETRY = {"1": 429, "5": 503, "9": 503}
ACCOUNT = {"4": 401, "8": 403, "11": 403, "14": 401, "15": 400, "32": 401}
INVALID = {"2", "3", "6", "12", "22"}
REJECTED = {"7", "29", "33"}

#: Delivery-receipt ``err-code`` values that say the number itself cannot take
#: SMS (https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts):
#: 3 absent subscriber (permanent), 4 barred by the user, 9 illegal number,
#: 11 unroutable, 14 blocked by the carrier. Others (phone off, network busy,
#: content filter) do not suppress the number.
PERMANENT_ERRORS = {"3", "4", "9", "11", "14"}

SIGNATURE_METHODS = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256,
                     "sha512": hashlib.sha512}  # fmt: skip


class VonageBackend(BaseBackend):
    name = "vonage"
    channels = ("sms",)
    batch_size = 100  # one request per message; the batch is the outbox's chunk
    api_key = ""
    api_secret = ""
    from_number = ""
    status_callback = ""
    signature_secret = ""
    signature_method = "md5hash"
    base_url = "https://rest.nexmo.com"

    def build_payload(self, message: ChannelMessage) -> dict:
        payload = {
            "api_key": self.api_key,
            "api_secret": self.api_secret,
            "from": self.from_number.lstrip("+"),
            "to": message.to.lstrip("+"),
            "text": message.body,
            "type": "text" if is_gsm7(message.body) else "unicode",
            "client-ref": message.ref[:100],
        }
        if self.status_callback:
            payload["status-report-req"] = "1"
            payload["callback"] = self.status_callback
        return payload

    def post(self, payload: dict):
        response = self.http("POST", f"{self.base_url.rstrip('/')}/sms/json", data=payload)
        try:
            parts = response.json().get("messages") or []
            codes = [str(part.get("status", "")) for part in parts]
        except (ValueError, AttributeError) as exc:
            # 200 without a readable answer: Vonage may have the message.
            raise ChannelAPIError("vonage: unreadable answer", body=response.text) from exc
        if not codes:
            raise ChannelAPIError("vonage: no message in the answer", body=response.text)
        if "0" not in codes:
            code = codes[0]
            if code in RETRY or code in ACCOUNT:
                raise ChannelAPIError(
                    f"vonage status {code}",
                    status_code=RETRY.get(code) or ACCOUNT[code],
                    body=response.text,
                )
        return response

    def parse_response(self, response, messages):
        (message,) = messages
        parts = response.json()["messages"]
        first = parts[0]
        message_id = str(first.get("message-id", ""))
        failed = [p for p in parts if str(p.get("status")) != "0"]
        if not failed:
            return {message.ref: RecipientStatus("queued", message_id=message_id)}
        if str(first.get("status")) == "0":
            # A later part was refused but the first is on its way: not resent.
            error = f"part refused: {failed[0].get('status')} {failed[0].get('error-text', '')}"
            return {message.ref: RecipientStatus("queued", message_id=message_id, error=error)}
        code = str(first.get("status"))
        status = "invalid" if code in INVALID else "rejected" if code in REJECTED else "failed"
        error = f"{code}: {first.get('error-text', '')}".strip()
        return {message.ref: RecipientStatus(status, message_id=message_id, error=error)}


def signature(params: dict[str, str], secret: str, method: str = "md5hash") -> str:
    """Vonage's request signature (https://developer.vonage.com/getting-started/concepts/signing-messages).

    Every parameter but ``sig``, sorted by name, as ``&name=value`` with ``&``
    and ``=`` in values replaced by ``_``; ``md5hash`` appends the secret and
    hashes with MD5, the HMAC methods key the HMAC with the secret. Lower-case hex.
    """
    text = "".join(
        f"&{key}={str(params[key]).replace('&', '_').replace('=', '_')}"
        for key in sorted(params)
        if key != "sig"
    )
    if method == "md5hash":
        return hashlib.md5((text + secret).encode()).hexdigest()  # noqa: S324 - Vonage's scheme
    digest = SIGNATURE_METHODS[method]
    return hmac.new(secret.encode(), text.encode(), digest).hexdigest()


def signature_is_valid(
    params: dict[str, str], *, secret: str, method: str = "md5hash", now: float,
    max_age: int = 86400,
) -> bool:  # fmt: skip
    """``sig`` matches and ``timestamp`` is within ``max_age`` seconds of ``now``.

    The timestamp is part of what is signed, so an old request cannot be made
    fresh; a replay inside the window changes nothing twice (the services are
    idempotent).
    """
    given = params.get("sig", "").lower()
    if not secret or not given or method not in {*SIGNATURE_METHODS, "md5hash"}:
        return False
    try:
        sent_at = int(params.get("timestamp", ""))
    except ValueError:
        return False
    if abs(now - sent_at) > max_age:
        return False
    return hmac.compare_digest(given, signature(params, secret, method))
