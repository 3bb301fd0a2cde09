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
from django.views.decorators.http import require_http_methods, require_POST

from . import inbound, vonage
from .hooks import BadWebhook, parse_xml, provider_options, read_params, require, token_matches
from .inforu import from_local, xml_text

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


# InforU ----------------------------------------------------------------------
# Delivery notifications (the request's DeliveryNotificationUrl; a form POST,
# or a GET where the account is set so) and replies ("MO", the account's
# incoming-message URL, a form POST) carry no signature:
# the URL's secret is the backend's ``webhook_secret``. Fields as in InforU's
# guide and the ``iplan/smsim`` client: Status 2 is delivered, -4 "blocked"
# (the number refuses this sender); others (not delivered yet, phone off)
# change nothing.

INFORU_DELIVERED, INFORU_BLOCKED = "2", "-4"


def _inforu_params(request: HttpRequest, token: str) -> dict[str, str] | HttpResponse:
    if not token_matches(token, provider_options("InforuBackend").get("webhook_secret", "")):
        return HttpResponseForbidden()
    try:
        return read_params(request)
    except BadWebhook:
        return HttpResponseBadRequest()


@csrf_exempt
@require_http_methods(["GET", "POST"])  # the account's notification method
def inforu_status(request: HttpRequest, token: str) -> HttpResponse:
    params = _inforu_params(request, token)
    if isinstance(params, HttpResponse):
        return params
    try:
        require(params, "PhoneNumber", "Status", "CustomerMessageId")
    except BadWebhook:
        return HttpResponseBadRequest()
    number = from_local(params["PhoneNumber"])
    if not number:
        return HttpResponseBadRequest()
    status = params["Status"].strip()
    outcome = {INFORU_DELIVERED: inbound.DELIVERED, INFORU_BLOCKED: inbound.FAILED_PERMANENTLY}
    inbound.receive_report(
        channel="sms",
        provider="inforu",
        message_id=f"{params['CustomerMessageId'].strip()}/{number}",
        outcome=outcome.get(status, inbound.FAILED_TRANSIENTLY),
        error=f"{status} {params.get('StatusDescription', '')}".strip(),
    )
    return HttpResponse("OK")


@csrf_exempt
@require_POST
def inforu_inbound(request: HttpRequest, token: str) -> HttpResponse:
    params = _inforu_params(request, token)
    if isinstance(params, HttpResponse):
        return params
    try:
        require(params, "IncomingXML")
        data = parse_xml(params["IncomingXML"])
    except BadWebhook:
        return HttpResponseBadRequest()
    number = from_local(xml_text(data, "PhoneNumber"))
    if not number or data.find("Message") is None:
        return HttpResponseBadRequest()
    inbound.receive_reply(
        channel="sms",
        number=number,
        text=xml_text(data, "Message"),
        provider="inforu",
        message_id=xml_text(data, "MessageId"),  # not in every account's MO
    )
    return HttpResponse("OK")
