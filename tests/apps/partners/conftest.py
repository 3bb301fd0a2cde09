"""Partners, signed requests against the real URLconf, and members with points."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from decimal import Decimal as D

import factory
import pytest
from django.core.cache import cache
from django.urls import reverse

from oscar_loyalty.apps.partners.models import Partner
from oscar_loyalty.apps.partners.signing import partner_secret
from oscar_loyalty.apps.points import services as points
from tests.factories import MemberFactory


class PartnerFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    earn_rate = D("2")
    burn_rate = D("0.05")
    issue_price = D("0.03")

    class Meta:
        model = Partner


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def partner(db):
    return PartnerFactory(name="Fuel Station", slug="fuel")


@pytest.fixture
def member(db):
    member = MemberFactory(user__first_name="Dana", user__email="dana@example.com")
    points.adjust_points(member, 1000, reason="Start", staff_user=None)
    return member


def api_url(name: str, **kwargs) -> str:
    return reverse(f"loyalty:partners_api:{name}", kwargs=kwargs)


def signed_headers(
    partner, method, path, body=b"", *, query="", timestamp=None, nonce=None, secret=None
):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(12)
    canonical = "\n".join(
        ["v1", method, path, query, timestamp, nonce, hashlib.sha256(body).hexdigest()]
    ).encode()
    signature = hmac.new(
        (secret or partner_secret(partner)).encode(), canonical, hashlib.sha256
    ).hexdigest()
    return {
        "X-Loyalty-Key": partner.key_id,
        "X-Loyalty-Timestamp": timestamp,
        "X-Loyalty-Nonce": nonce,
        "X-Loyalty-Signature": signature,
    }


class SignedClient:
    """Django's test client, signing each request as a partner would."""

    def __init__(self, client, partner):
        self.client = client
        self.partner = partner

    def post(self, name, payload, *, url_kwargs=None, headers=None, **sign_options):
        path = api_url(name, **(url_kwargs or {}))
        body = json.dumps(payload).encode()
        signed = signed_headers(self.partner, "POST", path, body, **sign_options)
        signed.update(headers or {})
        return self.send("POST", path, body, signed)

    def get(self, name, *, url_kwargs=None, **sign_options):
        path = api_url(name, **(url_kwargs or {}))
        return self.send(
            "GET", path, b"", signed_headers(self.partner, "GET", path, **sign_options)
        )

    def send(self, method, path, body, headers):
        return self.client.generic(
            method, path, data=body, content_type="application/json", headers=headers
        )

    def earn(self, card, amount, key, reference="R-1", **options):
        payload = {"card": card, "amount": amount, "reference": reference, "idempotency_key": key}
        return self.post("earn", payload, **options)

    def burn(self, card, points_, key, reference="R-2", **options):
        payload = {"card": card, "points": points_, "reference": reference, "idempotency_key": key}
        return self.post("burn", payload, **options)

    def reverse(self, public_id, key, **options):
        return self.post(
            "reverse", {"idempotency_key": key}, url_kwargs={"public_id": public_id}, **options
        )


@pytest.fixture
def api(client, partner):
    return SignedClient(client, partner)


def balance(member) -> int:
    return points.get_account(member).balance


def grant(user, *codenames):
    """Give ``user`` partner-app permissions, created if a flushed test database lost them."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    # A transactional test's flush can leave the content-type cache pointing at gone rows.
    ContentType.objects.clear_cache()
    content_type = ContentType.objects.get_for_model(Partner)
    for codename in codenames:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": codename}
        )
        user.user_permissions.add(permission)
    return user
