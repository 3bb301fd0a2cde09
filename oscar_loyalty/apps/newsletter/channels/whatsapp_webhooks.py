"""Meta's WhatsApp Cloud API webhook: replies and message statuses, one URL.

Meta calls one callback URL for the whole app
(https://developers.facebook.com/docs/graph-api/webhooks/getting-started):

* ``GET`` verifies the subscription: ``hub.mode=subscribe`` and
  ``hub.verify_token`` equal to the backend's ``verify_token`` option get
  ``hub.challenge`` back; anything else 403.
* ``POST`` carries the events, signed: ``X-Hub-Signature-256: sha256=<hex>``,
  the HMAC-SHA256 of the raw body keyed with the app secret (``app_secret``).
  Without a valid signature: 403 and nothing changes. An authentic request is
  answered 200 even when it holds nothing we read, since Meta retries any
  other answer for days; the services (``inbound``) are idempotent, so its
  retries and a replay change nothing twice.

Each ``messages`` change may list ``messages`` (a member wrote to us; a
refusal withdraws WhatsApp consent, as a Twilio or Vonage reply does) and
``statuses`` (what became of a message we sent, named by its ``wamid``, the
id ``whatsapp_cloud`` keeps on the outbox row as ``whatsapp_cloud:<wamid>``).
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import inbound
from .hooks import MAX_BODY, provider_options

PROVIDER = "whatsapp_cloud"

#: ``failed`` statuses whose error code says this number cannot get our
#: WhatsApp messages (Meta's error codes,
#: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes):
#: 131026 "message undeliverable" (not a WhatsApp number, or the recipient
#: has not accepted WhatsApp's terms or runs a version too old for business
#: messages) and 131021 "recipient cannot be sender" (our own number). They
#: bounce the row and suppress the number on WhatsApp only. Every other code
#: (131049 the per-user marketing limit, 131047 the 24-hour window, 131048
#: spam rate limit, 130429/131056 throughput, 131000 and 131016 Meta's
#: errors, template and account errors) changes nothing: the number may take
#: a later message.
PERMANENT_ERRORS = {131026, 131021}

#: 131050: "the recipient has chosen to stop receiving marketing messages on
#: WhatsApp from your business" — a refusal given to WhatsApp rather than to
#: us, which reaches us only with this status: withdrawn like a "הסר" reply
#: (``inbound.receive_provider_refusal``).
REFUSED_MARKETING = 131050


def _options() -> dict:
    return provider_options("WhatsAppCloudBackend")


def signature_is_valid(body: bytes, header: str, secret: str) -> bool:
    """``header`` is ``sha256=`` and the HMAC-SHA256 of ``body`` keyed with ``secret``."""
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(str(secret).encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256=").strip().lower(), expected)


def _verify(request: HttpRequest) -> HttpResponse:
    expected = str(_options().get("verify_token", ""))
    given = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") == "subscribe"
        and expected
        and given
        and hmac.compare_digest(given.encode(), expected.encode())
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return HttpResponseForbidden()


def _reply_text(message: dict) -> str:
    """A text message's body, or a quick-reply button's text (a refusal may be a button)."""
    kind = message.get("type")
    if kind == "text":
        return str((message.get("text") or {}).get("body", ""))
    if kind == "button":
        button = message.get("button") or {}
        return str(button.get("text") or button.get("payload") or "")
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return str(reply.get("title", ""))
    return ""


def _error_codes(status: dict) -> list[int]:
    codes = []
    for error in status.get("errors") or []:
        try:
            codes.append(int(error.get("code")))
        except (TypeError, ValueError, AttributeError):
            continue
    return codes


def _apply_status(status: dict) -> None:
    message_id = str(status.get("id", ""))
    if not message_id:
        return
    state, codes = str(status.get("status", "")), _error_codes(status)
    if state in ("delivered", "read"):
        outcome = inbound.DELIVERED
    elif state == "failed" and REFUSED_MARKETING in codes:
        inbound.receive_provider_refusal(
            channel="whatsapp",
            provider=PROVIDER,
            message_id=message_id,
            via=f"WhatsApp error {REFUSED_MARKETING}: recipient stopped marketing messages",
        )
        return
    elif state == "failed" and PERMANENT_ERRORS.intersection(codes):
        outcome = inbound.FAILED_PERMANENTLY
    else:
        return  # sent, or a failure the number may recover from
    inbound.receive_report(
        channel="whatsapp",
        provider=PROVIDER,
        message_id=message_id,
        outcome=outcome,
        error=" ".join([state, *map(str, codes)]),
    )


def _apply_change(value: dict) -> None:
    for message in value.get("messages") or []:
        if not isinstance(message, dict) or not message.get("from"):
            continue
        sender = str(message["from"])
        inbound.receive_reply(
            channel="whatsapp",
            # Meta writes the number in international format without the "+".
            number=sender if sender.startswith("+") else f"+{sender}",
            text=_reply_text(message),
            provider=PROVIDER,
            message_id=str(message.get("id", "")),
        )
    for status in value.get("statuses") or []:
        if isinstance(status, dict):
            _apply_status(status)


def _changes(payload) -> list[dict]:
    """The ``messages`` changes' values; a body of another shape raises ``ValueError``."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry", []), list):
        raise ValueError("not a webhook")
    values = []
    for entry in payload.get("entry", []):
        changes = entry.get("changes", []) if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            raise ValueError("not a webhook entry")
        for change in changes:
            if not isinstance(change, dict):
                raise ValueError("not a change")
            value = change.get("value")
            # Other fields (template status, account updates) are not ours to read.
            if change.get("field", "messages") == "messages" and isinstance(value, dict):
                values.append(value)
    return values


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_cloud_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify(request)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponseBadRequest()
    if declared > MAX_BODY or len(request.body) > MAX_BODY:
        return HttpResponseBadRequest()
    # Authenticate the raw bytes before reading any of them.
    if not signature_is_valid(
        request.body,
        request.headers.get("X-Hub-Signature-256", ""),
        _options().get("app_secret", ""),
    ):
        return HttpResponseForbidden()
    try:
        values = _changes(json.loads(request.body.decode("utf-8")))
    except (UnicodeDecodeError, ValueError):
        return HttpResponseBadRequest()
    for value in values:
        _apply_change(value)
    return HttpResponse("OK", content_type="text/plain")
