"""Keyed hashes: the one helper, built on Django's ``salted_hmac``.

Anything the club keeps or counts by a value it must not keep in clear (an
email address on the suppression list, an IP address behind a rate limit, a
fraud fingerprint) is named by a keyed hash: HMAC-SHA256, so a leaked table
cannot be reversed by hashing a list of known values without the key.

A hash is made for a ``Purpose``. A new purpose is just a name::

    keyed_hash("ratelimit.client", address)

which is ``salted_hmac("oscar_loyalty.ratelimit.client", address, algorithm="sha256")``:
the purpose is Django's key salt, so two purposes never share a digest for the
same value, and the key is ``SECRET_KEY`` unless the purpose names another.

**Digests stored before this helper existed keep their algorithm.** The
suppression list, the erasure log, the referral fingerprints and the partners'
derived secrets were HMAC-SHA256 keyed with the raw secret, the message
prefixed by a constant. ``salted_hmac`` derives its key from salt and secret,
so it gives other digests for the same input, and none of these can be
recomputed by a data migration: the value hashed is gone (a suppressed
address, an erased member) or was handed out (a partner's secret). Their
purposes say so with ``stored_prefix``, and this module computes them the old
way; everything else uses ``salted_hmac``.

The partner API's request signature is not a keyed hash of ours but a
protocol partners implement (``apps/partners/signing.py``): it stays there.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.crypto import salted_hmac

SALT_PREFIX = "oscar_loyalty."


def _email_hash_key() -> str:
    from oscar_loyalty import app_settings

    return app_settings.EMAIL_HASH_KEY


@dataclass(frozen=True)
class Purpose:
    """What a keyed hash is for: its name, its key, and (for stored digests) its old scheme."""

    #: The key salt (after ``oscar_loyalty.``); unique per use.
    name: str
    #: Returns the key; ``None``: ``SECRET_KEY``. Read at each hasher, never at import.
    secret: Callable[[], str] | None = None
    #: Not ``None``: HMAC-SHA256 keyed with the secret itself, of ``stored_prefix + value``,
    #: the scheme of digests already stored (see the module's docstring).
    stored_prefix: str | None = None


def keyed_hasher(purpose: Purpose | str) -> Callable[[str], str]:
    """A function ``value -> hex digest`` for ``purpose``, the key derived once.

    For a loop over a batch: deriving the key and reading the setting was half
    the cost of a hash (a 100k newsletter hashes each address three times).
    """
    if isinstance(purpose, str):
        purpose = Purpose(purpose)
    secret = purpose.secret() if purpose.secret is not None else None
    if purpose.stored_prefix is None:
        base = salted_hmac(SALT_PREFIX + purpose.name, b"", secret=secret, algorithm="sha256")
    else:
        if secret is None:
            from django.conf import settings

            secret = settings.SECRET_KEY
        base = hmac.new(secret.encode(), purpose.stored_prefix.encode(), hashlib.sha256)

    def hash_value(value: str) -> str:
        mac = base.copy()
        # "surrogatepass": the same bytes as plain UTF-8 for every valid text, and
        # no UnicodeEncodeError for a lone surrogate a hostile request sent.
        mac.update(value.encode("utf-8", "surrogatepass"))
        return mac.hexdigest()

    return hash_value


def keyed_hash(purpose: Purpose | str, value: str) -> str:
    """The hex HMAC-SHA256 of ``value`` for ``purpose``."""
    return keyed_hasher(purpose)(value)


# Email addresses ------------------------------------------------------------
# How the club names an address without storing it: consent's suppressions and
# evidence, the newsletter's outbox, the privacy app's erasure log. In the core
# because all of them use it (re-exported by ``apps.consent.hashing``).

#: Digests already stored in suppressions and evidence: the scheme they were written
#: with (this module explains why it cannot change).
EMAIL = Purpose("consent.email", secret=_email_hash_key, stored_prefix="")


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
