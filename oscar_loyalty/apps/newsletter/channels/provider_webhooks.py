"""Delivery reports and replies of Vonage, 019 and InforU (Twilio's are in ``webhooks``).

Each view authenticates first and changes nothing when that fails (403):
Vonage signs its webhooks (``sig``, checked by ``vonage.signature_is_valid``);
019 and InforU sign nothing, so their URLs carry a secret of the backend's
``webhook_secret`` option, compared in constant time. A request without the
fields a report needs gets 400. The services (``inbound``) do the rest and
are idempotent, so a provider's retry or a replay changes nothing twice.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import inbound, vonage
from .hooks import BadWebhook, provider_options, read_params, require

#: Vonage's delivery-receipt statuses (https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts).
VONAGE_FAILED = {"failed", "rejected"}


def _vonage_params(request: HttpRequest) -> dict[str, str] | HttpResponse:
    try:
        params = read_params(request)
    except BadWebhook:
        return HttpResponseBadRequest()
    options = provider_options("VonageBackend")
    if not vonage.signature_is_valid(
        params,
        secret=options.get("signature_secret", ""),
        method=options.get("signature_method", "md5hash"),
        now=time.time(),
        max_age=int(options.get("signature_max_age", 86400)),
    ):
        return HttpResponseForbidden()
    return params


def _international(msisdn: str) -> str:
    # Vonage writes numbers in international format without the "+".
    return msisdn if msisdn.startswith("+") else f"+{msisdn}"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def vonage_inbound(request: HttpRequest) -> HttpResponse:
    params = _vonage_params(request)
    if isinstance(params, HttpResponse):
        return params
    try:
        require(params, "msisdn", "messageId")
        if "text" not in params:
            raise BadWebhook("missing text")
    except BadWebhook:
        return HttpResponseBadRequest()
    inbound.receive_reply(
        channel="sms",
        number=_international(params["msisdn"]),
        text=params.get("text", ""),
        provider="vonage",
        message_id=params["messageId"],
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def vonage_status(request: HttpRequest) -> HttpResponse:
    params = _vonage_params(request)
    if isinstance(params, HttpResponse):
        return params
    try:
        require(params, "messageId", "status")
    except BadWebhook:
        return HttpResponseBadRequest()
    status, code = params["status"].lower(), params.get("err-code", "")
    if status == "delivered":
        outcome = inbound.DELIVERED
    elif status in VONAGE_FAILED and code in vonage.PERMANENT_ERRORS:
        outcome = inbound.FAILED_PERMANENTLY
    else:
        outcome = inbound.FAILED_TRANSIENTLY  # expired, phone off, …: no suppression
    inbound.receive_report(
        channel="sms",
        provider="vonage",
        message_id=params["messageId"],
        outcome=outcome,
        error=f"{status} {code}".strip(),
    )
    return HttpResponse(status=204)
