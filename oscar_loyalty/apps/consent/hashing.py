"""Hashed email addresses: how suppressions and evidence name an address."""

from __future__ import annotations

from collections.abc import Callable

from oscar_loyalty import app_settings
from oscar_loyalty.hashing import Purpose, keyed_hasher

#: Digests already stored in suppressions and evidence: the scheme they were written
#: with (``oscar_loyalty.hashing`` explains why it cannot change).
EMAIL = Purpose("consent.email", secret=lambda: app_settings.EMAIL_HASH_KEY, stored_prefix="")


def normalise_email(email: str) -> str:
    """Lower-cased and stripped: ``Dana@Example.com `` and ``dana@example.com`` are one address."""
    return (email or "").strip().lower()


def email_hash(email: str) -> str:
    """HMAC-SHA256 of the normalised address with ``OSCAR_LOYALTY_EMAIL_HASH_KEY``.

    A keyed hash, not a bare SHA-256: a leaked table cannot be reversed by
    hashing a list of known addresses without the key.
    """
    return email_hasher()(email)


def email_hasher() -> Callable[[str], str]:
    """``email_hash`` with the key read once, for a loop over a batch of addresses.

    Reading the setting was half the cost of a hash; a 100k newsletter hashes
    each address three times (fan-out, send-time gate, last guard).
    """
    hash_text = keyed_hasher(EMAIL)

    def hash_address(email: str) -> str:
        return hash_text(normalise_email(email))

    return hash_address
