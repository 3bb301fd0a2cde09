"""Request signing for the partner API: derived secrets, the canonical string, checks.

A request carries four headers::

    X-Loyalty-Key: <key id>
    X-Loyalty-Timestamp: <unix seconds>
    X-Loyalty-Nonce: <8-64 characters [A-Za-z0-9_-], new for every request>
    X-Loyalty-Signature: hex(HMAC-SHA256(secret, canonical string))

and the canonical string is these lines joined by ``\\n``::

    v1
    <METHOD>
    <path>
    <query string, as sent; empty if none>
    <timestamp>
    <nonce>
    <hex SHA-256 of the raw body>

The signature is a protocol each partner implements on its side, so it is
computed here exactly as documented (``docs/partners.md``), not by the
club's keyed-hash helper (``oscar_loyalty.hashing``), whose scheme is ours to
choose. The partner's secret *is* derived by that helper, with the scheme it
was issued under: a secret already handed out must never change.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from oscar_loyalty import app_settings
from oscar_loyalty.exceptions import (
    PartnerAuthenticationFailed,
    ReplayedPartnerRequest,
    StalePartnerRequest,
)
from oscar_loyalty.hashing import Purpose, keyed_hash

from .models import Partner, PartnerNonce

NONCE_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
# What the dashboard issues (``pk_`` + hex, see ``models``), loosely: anything else
# cannot be a key id, and is not sent to the database (PostgreSQL refuses a NUL).
KEY_ID_RE = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")
SIGNATURE_RE = re.compile(r"[0-9A-Fa-f]{64}")
HEADERS = {
    "key": "HTTP_X_LOYALTY_KEY",
    "timestamp": "HTTP_X_LOYALTY_TIMESTAMP",
    "nonce": "HTTP_X_LOYALTY_NONCE",
    "signature": "HTTP_X_LOYALTY_SIGNATURE",
}


#: The scheme every issued secret was derived with (``oscar_loyalty.hashing``).
PARTNER_SECRET = Purpose(
    "partners.secret",
    secret=lambda: app_settings.PARTNERS_SECRET_KEY,
    stored_prefix="oscar-loyalty-partner:",
)


def partner_secret(partner: Partner) -> str:
    """The partner's shared secret, derived, never stored (see ``models``)."""
    return keyed_hash(PARTNER_SECRET, f"{partner.key_id}:{partner.secret_salt}")


def canonical_string(
    method: str, path: str, query: str, timestamp: str, nonce: str, body: bytes
) -> bytes:
    body_hash = hashlib.sha256(body).hexdigest()
    return "\n".join(["v1", method.upper(), path, query, timestamp, nonce, body_hash]).encode()


def sign(secret: str, canonical: bytes) -> str:
    return hmac.new(secret.encode(), canonical, hashlib.sha256).hexdigest()


def authenticate(request, *, now: float | None = None) -> Partner:
    """The partner that signed ``request``, or ``PartnerAuthenticationFailed``.

    Unknown key, bad signature and missing headers get the same answer, so a
    caller learns nothing about which key ids exist. Does not check the
    nonce (``use_nonce``) nor whether the partner is active.
    """
    values = {name: request.META.get(header, "") for name, header in HEADERS.items()}
    # Header values are any text (non-ASCII, NUL, lone surrogates from a test
    # client): each is matched in full against an ASCII pattern before use, so
    # ``hmac.compare_digest`` (which raises on non-ASCII text) and the database
    # only ever see ASCII, and ``int()`` never reads other scripts' digits.
    if not (
        NONCE_RE.fullmatch(values["nonce"])
        and KEY_ID_RE.fullmatch(values["key"])
        and TIMESTAMP_RE.fullmatch(values["timestamp"])
        and SIGNATURE_RE.fullmatch(values["signature"])
    ):
        raise PartnerAuthenticationFailed()
    timestamp = int(values["timestamp"])
    now = time.time() if now is None else now
    if abs(now - timestamp) > app_settings.PARTNERS_TIMESTAMP_TOLERANCE:
        raise StalePartnerRequest()
    partner = Partner.objects.filter(key_id=values["key"]).first()
    if partner is None:
        raise PartnerAuthenticationFailed()
    expected = sign(
        partner_secret(partner),
        canonical_string(
            request.method,
            request.path,
            request.META.get("QUERY_STRING", ""),
            values["timestamp"],
            values["nonce"],
            request.body,
        ),
    )
    if not hmac.compare_digest(expected, values["signature"].lower()):
        raise PartnerAuthenticationFailed()
    request.partner_nonce = values["nonce"]
    return partner


def use_nonce(partner: Partner, nonce: str) -> None:
    """Record the nonce; a second use (a replayed request) raises ``ReplayedPartnerRequest``."""
    try:
        with transaction.atomic():
            PartnerNonce.objects.create(partner=partner, nonce=nonce, created_at=timezone.now())
    except IntegrityError:
        raise ReplayedPartnerRequest() from None


def prune_nonces(*, now=None) -> int:
    """Delete nonces older than twice the timestamp window (they can no longer be replayed)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=2 * app_settings.PARTNERS_TIMESTAMP_TOLERANCE)
    deleted, _rows = PartnerNonce.objects.filter(created_at__lt=cutoff).delete()
    return deleted
