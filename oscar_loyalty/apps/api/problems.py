"""Errors as RFC 9457 problem details (``application/problem+json``).

Every API view answers its errors through ``problem_handler`` (set on the
views, not in ``REST_FRAMEWORK``, so a store's other DRF APIs keep their own
handler). The body always has ``type``, ``title``, ``status`` and ``detail``;
``title`` and ``detail`` are in the request's language. ``type`` is a URN
naming the kind of problem (``urn:oscar-loyalty:problem:insufficient-points``):
stable, for clients to branch on, and not a page anyone has to host.
Validation errors add ``errors`` (field name to messages).
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from oscar_loyalty import exceptions as domain

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:oscar-loyalty:problem:"

TITLES = {
    400: _("Bad request"),
    401: _("Not signed in"),
    403: _("Not allowed"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    415: _("Unsupported media type"),
    429: _("Too many requests"),
}

# The status of each domain error; the most specific class listed wins (MRO).
# Not enough points or a basket that cannot take them is a conflict with the
# state of the account or basket (409); a malformed amount is the client's
# input (400); "not a member" means there is no such resource for this user.
DOMAIN_STATUS: dict[type[domain.LoyaltyError], int] = {
    domain.LoyaltyError: 400,
    domain.RateLimited: 429,
    domain.NotAMember: 404,
    domain.MemberNotFound: 404,
    domain.AlreadyMember: 409,
    domain.PlanUnavailable: 409,
    domain.ConsentWordingChanged: 409,
    domain.UnknownConsentPurpose: 400,
    domain.InsufficientPoints: 409,
    domain.RedemptionNotAllowed: 409,
    domain.InvalidPointsAmount: 400,
    domain.ConsentSubjectGone: 409,
    domain.PrivacyError: 409,
}


def _slug(name: str) -> str:
    """``InsufficientPoints`` -> ``insufficient-points``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    status_code: int, *, kind: str, detail: str, headers: dict | None = None, **extra
) -> Response:
    body = {
        "type": TYPE_PREFIX + kind,
        "title": str(TITLES.get(status_code, _("Error"))),
        "status": status_code,
        "detail": str(detail),
        **extra,
    }
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def domain_status(error: domain.LoyaltyError) -> int:
    for cls in type(error).__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return 400


def _flatten(detail) -> dict[str, list[str]] | list[str]:
    if isinstance(detail, dict):
        return {key: [str(m) for m in _as_list(value)] for key, value in detail.items()}
    return [str(m) for m in _as_list(detail)]


def _as_list(value) -> list:
    if isinstance(value, list):
        return [item for entry in value for item in _as_list(entry)]
    if isinstance(value, dict):
        return [item for entry in value.values() for item in _as_list(entry)]
    return [value]


def problem_handler(exc, context) -> Response | None:
    """DRF's exception handler for the API: everything as problem details."""
    response = _problem_for(exc)
    if response is not None:
        set_rollback()  # as DRF's own handler: ATOMIC_REQUESTS keeps nothing of a refusal
    return response


def _problem_for(exc) -> Response | None:
    if isinstance(exc, domain.LoyaltyError):
        code = domain_status(exc)
        headers = None
        if isinstance(exc, domain.RateLimited):
            headers = {"Retry-After": str(exc.retry_after)}
        return problem(code, kind=_slug(type(exc).__name__), detail=exc.message, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: a 500, as Django reports it
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    extra = {}
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        extra["errors"] = errors if isinstance(errors, dict) else {"non_field_errors": errors}
        detail = _("The request is not valid.")
        kind = "invalid-request"
    else:
        messages = _flatten(exc.detail)
        detail = " ".join(messages) if isinstance(messages, list) else str(exc.detail)
        kind = _slug(type(exc).__name__)
    code = exc.status_code
    if code == status.HTTP_403_FORBIDDEN and isinstance(exc, exceptions.NotAuthenticated):
        kind = "not-authenticated"
    return problem(code, kind=kind, detail=detail, headers=headers or None, **extra)
