"""The signed JSON API for partners (``/club/partners/api/v1/``). See docs/partners.md.

Every request: per-IP limit on failed signatures, signature and timestamp
check, active partner, per-partner rate limit, then the nonce is used up
(a replay is refused), then the action. Errors are JSON
``{"error": code, "message": text}`` with the matching HTTP status.
"""

from __future__ import annotations

import json
from functools import wraps

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from oscar_loyalty import app_settings, ratelimit
from oscar_loyalty.exceptions import (
    AlreadyReversed,
    IdempotencyKeyReused,
    InsufficientPoints,
    InvalidPartnerRequest,
    InvalidPointsAmount,
    LoyaltyError,
    MemberNotFound,
    NotAMember,
    NothingToEarn,
    PartnerAuthenticationFailed,
    PartnerDailyCapReached,
    PartnerInactive,
    PartnerTransactionNotFound,
    RateLimited,
    ReplayedPartnerRequest,
    StalePartnerRequest,
)

from . import services, signing, validation
from .models import PartnerTransaction

# Most specific first: the first matching class gives status and code.
ERRORS: list[tuple[type[LoyaltyError], int, str]] = [
    (StalePartnerRequest, 401, "stale_request"),
    (PartnerAuthenticationFailed, 401, "invalid_signature"),
    (PartnerInactive, 403, "partner_inactive"),
    (MemberNotFound, 404, "member_not_found"),
    (PartnerTransactionNotFound, 404, "not_found"),
    (ReplayedPartnerRequest, 409, "replayed_request"),
    (IdempotencyKeyReused, 409, "idempotency_key_reused"),
    (AlreadyReversed, 409, "already_reversed"),
    (NotAMember, 422, "member_inactive"),
    (InsufficientPoints, 422, "insufficient_points"),
    (PartnerDailyCapReached, 422, "daily_cap_reached"),
    (NothingToEarn, 422, "nothing_to_earn"),
    (InvalidPartnerRequest, 400, "invalid_request"),
    (InvalidPointsAmount, 400, "invalid_request"),
    (RateLimited, 429, "rate_limited"),
]
AUTH_SCOPE, API_SCOPE = "partner_auth", "partner_api"


def error_response(error: LoyaltyError) -> JsonResponse:
    status, code = next(
        ((status, code) for cls, status, code in ERRORS if isinstance(error, cls)),
        (400, "error"),
    )
    response = JsonResponse({"error": code, "message": error.message}, status=status)
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def _json_body(request) -> dict:
    if request.method != "POST":
        return {}
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidPartnerRequest(_("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidPartnerRequest(_("The body must be a JSON object."))
    return data


def partner_endpoint(*methods: str):
    """Authenticate, limit and de-duplicate, then call ``view(request, partner, data)``."""

    def decorator(view):
        @csrf_exempt
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                address = ratelimit.client_key(request)
                failures = app_settings.PARTNERS_AUTH_FAILURE_LIMIT
                if ratelimit.is_limited(AUTH_SCOPE, address, limit=failures):
                    raise RateLimited(retry_after=failures[1])
                try:
                    partner = signing.authenticate(request)
                except PartnerAuthenticationFailed:
                    ratelimit.count(AUTH_SCOPE, address, limit=failures)
                    raise
                if not partner.is_active:
                    raise PartnerInactive()
                ratelimit.hit(API_SCOPE, partner.key_id, limit=app_settings.PARTNERS_RATE_LIMIT)
                signing.use_nonce(partner, request.partner_nonce)
                return view(request, partner, _json_body(request), *args, **kwargs)
            except LoyaltyError as error:
                return error_response(error)

        return wrapped

    return decorator


def transaction_json(txn: PartnerTransaction) -> dict:
    reversal = getattr(txn, "reversal", None) if txn.kind != PartnerTransaction.REVERSAL else None
    return {
        "id": str(txn.public_id),
        "kind": txn.kind,
        "member": txn.member.number,
        "points": txn.points,
        "amount": str(txn.amount),
        "reference": txn.reference,
        "idempotency_key": txn.idempotency_key,
        "balance": txn.balance_after,
        "reverses": str(txn.reverses.public_id) if txn.reverses_id else None,
        "reversed_by": str(reversal.public_id) if reversal else None,
        "created_at": txn.created_at.isoformat(),
    }


def _result_response(result: services.Result) -> JsonResponse:
    response = JsonResponse(
        {"transaction": transaction_json(result.transaction), "replayed": not result.created},
        status=201 if result.created else 200,
    )
    if not result.created:
        response["Idempotent-Replayed"] = "true"
    return response


@partner_endpoint("POST")
def member_lookup(request, partner, data):
    member = validation.find_member(data)
    return JsonResponse({"member": services.member_summary(partner, member)})


@partner_endpoint("POST")
def earn(request, partner, data):
    return _result_response(services.earn_points(partner, data))


@partner_endpoint("POST")
def burn(request, partner, data):
    return _result_response(services.burn_points(partner, data))


@partner_endpoint("POST")
def reverse(request, partner, data, public_id):
    return _result_response(services.reverse_transaction(partner, public_id, data))


@partner_endpoint("GET")
def transaction_status(request, partner, data, key):
    txn = services.transaction_by_key(partner, key)
    return JsonResponse({"transaction": transaction_json(txn)})
