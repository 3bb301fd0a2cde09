"""Fraud signals: normalised emails, addresses and payment fingerprints, hashed.

Signals are compared as HMAC-SHA256 digests keyed with ``SECRET_KEY``, and only
the digests are stored: a leaked table names nobody.
"""

from __future__ import annotations

import re

from django.utils.module_loading import import_string

from oscar_loyalty import app_settings
from oscar_loyalty.clientip import client_ip
from oscar_loyalty.hashing import Purpose, keyed_hash

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}
#: Compared with digests already stored: the scheme they were written with
#: (``oscar_loyalty.hashing``); the key is ``SECRET_KEY``.
FINGERPRINT = Purpose("referrals.fingerprint", stored_prefix="")


def normalise_email(email: str) -> str:
    """``Dana.Levi+shop@GoogleMail.com`` → ``danalevi@gmail.com``.

    Lower case; the ``+tag`` dropped; dots removed for Gmail, whose two
    domains are one mailbox.
    """
    email = (email or "").strip().lower()
    local, _sep, domain = email.rpartition("@")
    if not local:
        return email
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def normalise_address(address) -> str:
    """An Oscar address as lower-case words: line1-4 and postcode, punctuation dropped."""
    if address is None:
        return ""
    parts = [
        getattr(address, name, "") or ""
        for name in ("line1", "line2", "line3", "line4", "postcode")
    ]
    text = " ".join(parts).lower()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def digest(value: str) -> str:
    """HMAC-SHA256 of ``value`` keyed with ``SECRET_KEY`` ("" stays "")."""
    return keyed_hash(FINGERPRINT, value) if value else ""


def email_digest(email: str) -> str:
    return digest(normalise_email(email))


def address_digest(address) -> str:
    return digest(normalise_address(address))


def payment_digest(order) -> str:
    """The payment fingerprint of ``order`` hashed, if the store's hook gives one.

    ``OSCAR_LOYALTY_REFERRALS_PAYMENT_FINGERPRINT`` names a function
    ``order -> str | None`` (e.g. card fingerprint from the payment provider).
    """
    path = app_settings.REFERRALS_PAYMENT_FINGERPRINT
    if not path:
        return ""
    return digest(import_string(path)(order) or "")


def ip_digest(request) -> str:
    return digest(client_ip(request))
