"""Inbound replies and delivery reports, one pair of URLs per provider, each authenticated.

Twilio signs each request (``X-Twilio-Signature``, HMAC-SHA1 of the URL and
the form fields with the auth token); the SDK's ``RequestValidator`` checks
it. A request that fails the check gets 403 and changes nothing. The URL
checked is the one Twilio called: behind a proxy, set
``SECURE_PROXY_SSL_HEADER`` and ``USE_X_FORWARDED_HOST`` so that
``build_absolute_uri`` gives it back.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import backend_settings, inbound
from .twilio import OUTBOX_PARAMETER

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

#: Twilio's message statuses (https://www.twilio.com/docs/messaging/api/message-resource).
TWILIO_OUTCOMES = {
    "delivered": inbound.DELIVERED,
    "read": inbound.DELIVERED,
    "undelivered": inbound.FAILED_PERMANENTLY,
    "failed": inbound.FAILED_PERMANENTLY,
}


def _twilio_options() -> dict:
    for config in backend_settings().values():
        if isinstance(config, dict) and config.get("BACKEND", "").endswith("TwilioBackend"):
            return config.get("OPTIONS", {})
    return {}


def twilio_is_authentic(request: HttpRequest) -> bool:
    from twilio.request_validator import RequestValidator

    token = _twilio_options().get("auth_token")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    validator = RequestValidator(token)
    return validator.validate(request.build_absolute_uri(), request.POST.dict(), signature)


def _channel_and_number(address: str) -> tuple[str, str]:
    if address.startswith("whatsapp:"):
        return "whatsapp", address.removeprefix("whatsapp:")
    return "sms", address


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    if not twilio_is_authentic(request):
        return HttpResponseForbidden()
    channel, number = _channel_and_number(request.POST.get("From", ""))
    inbound.receive_reply(
        channel=channel,
        number=number,
        text=request.POST.get("Body", ""),
        provider="twilio",
        message_id=request.POST.get("MessageSid", ""),
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    if not twilio_is_authentic(request):
        return HttpResponseForbidden()
    channel, _number = _channel_and_number(request.POST.get("To", ""))
    status = request.POST.get("MessageStatus", "")
    # Signed with the URL (``twilio.status_callback_for``); absent on reports for
    # messages sent before it was added, which are matched by message id alone.
    outbox = request.GET.get(OUTBOX_PARAMETER, "")
    inbound.receive_report(
        channel=channel,
        provider="twilio",
        message_id=request.POST.get("MessageSid", ""),
        outcome=TWILIO_OUTCOMES.get(status, ""),
        error=f"{status} {request.POST.get('ErrorCode', '')}".strip(),
        outbox_id=int(outbox) if outbox.isascii() and outbox.isdigit() else None,
    )
    return HttpResponse(status=204)
