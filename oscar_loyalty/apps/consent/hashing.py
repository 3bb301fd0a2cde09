"""Hashed email addresses: how suppressions and evidence name an address."""

from __future__ import annotations

import hashlib
import hmac

from oscar_loyalty import app_settings


def normalise_email(email: str) -> str:
    """Lower-cased and stripped: ``Dana@Example.com `` and ``dana@example.com`` are one address."""
    return (email or "").strip().lower()


def email_hash(email: str) -> str:
    """HMAC-SHA256 of the normalised address with ``OSCAR_LOYALTY_EMAIL_HASH_KEY``.

    A keyed hash, not a bare SHA-256: a leaked table cannot be reversed by
    hashing a list of known addresses without the key.
    """
    key = app_settings.EMAIL_HASH_KEY.encode()
    return hmac.new(key, normalise_email(email).encode(), hashlib.sha256).hexdigest()
