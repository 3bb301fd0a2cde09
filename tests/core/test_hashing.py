"""The one keyed-hash helper: salted_hmac for new purposes, the old scheme for stored digests."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.utils.crypto import salted_hmac

from oscar_loyalty.apps.consent.hashing import email_hash, email_hasher
from oscar_loyalty.apps.partners.models import Partner
from oscar_loyalty.apps.partners.signing import partner_secret
from oscar_loyalty.apps.privacy.erasure import member_hash
from oscar_loyalty.apps.referrals import fingerprints
from oscar_loyalty.hashing import Purpose, keyed_hash, keyed_hasher


def old_hmac(key: str, message: str) -> str:
    """How each stored digest was computed before the helper: written out, not imported."""
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_a_new_purpose_is_djangos_salted_hmac_with_the_purpose_as_key_salt():
    expected = salted_hmac("oscar_loyalty.ratelimit.client", "203.0.113.9", algorithm="sha256")
    assert keyed_hash("ratelimit.client", "203.0.113.9") == expected.hexdigest()


def test_two_purposes_never_share_a_digest_for_the_same_value():
    assert keyed_hash("ratelimit.client", "x") != keyed_hash("ratelimit.value", "x")


def test_the_key_is_read_when_the_hasher_is_made_not_at_import(settings):
    before = keyed_hash("ratelimit.client", "x")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert keyed_hash("ratelimit.client", "x") != before


def test_a_batch_hasher_gives_the_single_digests():
    hasher = keyed_hasher("some.purpose")
    assert [hasher(v) for v in ("a", "b")] == [keyed_hash("some.purpose", v) for v in "ab"]


def test_a_lone_surrogate_is_hashed_not_raised():
    assert len(keyed_hash("some.purpose", "\ud800")) == 64
    assert len(fingerprints.digest("\ud800")) == 64


# Digests already stored keep matching: each is compared with the formula it was
# written with (a suppressed address, an erased member, a fraud signal, an issued
# partner secret cannot be recomputed by a migration).


def test_suppression_hashes_keep_their_stored_scheme(settings):
    settings.OSCAR_LOYALTY_EMAIL_HASH_KEY = "email-key"
    assert email_hash(" Dana@Example.com ") == old_hmac("email-key", "dana@example.com")
    assert email_hasher()("dana@example.com") == old_hmac("email-key", "dana@example.com")


def test_the_erasure_log_member_hash_keeps_its_stored_scheme(settings):
    settings.OSCAR_LOYALTY_EMAIL_HASH_KEY = "email-key"
    assert member_hash("1234567890") == old_hmac("email-key", "member:1234567890")
    assert member_hash("") == ""


def test_referral_fingerprints_keep_their_stored_scheme(settings):
    settings.SECRET_KEY = "fingerprint-secret-key-for-this-test-only-0123456789"
    assert fingerprints.digest("dana@gmail.com") == old_hmac(settings.SECRET_KEY, "dana@gmail.com")
    assert fingerprints.digest("") == ""


def test_an_issued_partner_secret_never_changes(settings):
    settings.OSCAR_LOYALTY_PARTNERS_SECRET_KEY = "partners-key"
    partner = Partner(key_id="pk_abc", secret_salt="salt1")
    issued = old_hmac("partners-key", "oscar-loyalty-partner:pk_abc:salt1")
    assert partner_secret(partner) == issued


@pytest.mark.parametrize("prefix", ["", "member:"])
def test_a_stored_scheme_with_its_own_key(prefix):
    purpose = Purpose("x", secret=lambda: "k", stored_prefix=prefix)
    assert keyed_hash(purpose, "v") == old_hmac("k", prefix + "v")
