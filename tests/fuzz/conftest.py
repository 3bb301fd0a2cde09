"""A small club to fuzz against, and the Hypothesis profiles of the fuzz tests.

Profiles (``LOYALTY_FUZZ_PROFILE``, see docs/development.md "Fuzzing"):

- ``ci`` (default): few examples per endpoint and role, derandomized, so CI
  runs the same inputs every time and the module takes about two minutes.
- ``deep``: 25 times as many, random, for a local run of an hour or more.

``LOYALTY_FUZZ_EXAMPLES`` overrides the number of examples per test.
The profiles are applied per test (``settings(parent=...)``), never loaded
globally, so the suite's other property tests keep their own settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, settings
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.consent.tokens import make_confirm_token, make_unsubscribe_token
from oscar_loyalty.apps.partners import services as partner_services
from oscar_loyalty.apps.points import services as points
from tests.apps.partners.conftest import PartnerFactory
from tests.factories import (
    MemberFactory,
    PlanFactory,
    PointsPromotionFactory,
    PrizeDrawFactory,
    ReferralCodeFactory,
    ReferralFactory,
    TierFactory,
)

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
settings.register_profile("deep", settings.get_profile("ci"), derandomize=False)
PROFILE = os.environ.get("LOYALTY_FUZZ_PROFILE", "ci")
SCALE = {"ci": 1, "deep": 25}[PROFILE]


def fuzz_settings(examples: int) -> settings:
    override = os.environ.get("LOYALTY_FUZZ_EXAMPLES")
    count = int(override) if override else examples * SCALE
    return settings(settings.get_profile(PROFILE), max_examples=count)


@dataclass
class World:
    member: object
    other_member: object
    staff: object
    partner: object
    pks: list[str] = field(default_factory=list)
    seeds: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)


def _tampered(token: str) -> list[str]:
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return [flipped, token[:-5], token + "x", token.replace(":", "::"), token.upper()]


@pytest.fixture
def world(db, settings):
    settings.ANYMAIL = {
        **django_settings.ANYMAIL,
        "WEBHOOK_SECRET": "hook:s3cret",
        # So that these ESPs' tracking URLs answer (unconfigured, they raise
        # ImproperlyConfigured on every request, which is a setup error, not input).
        "MAILERSEND_SIGNING_SECRET": "fuzz-signing-secret",
        "UNISENDER_GO_API_KEY": "fuzz-api-key",
        "MANDRILL_WEBHOOK_KEY": "fuzz-webhook-key",
        # Postal's key must be a real RSA public key: left out, its URL is skipped.
    }
    plan = PlanFactory(name="Club", slug="club", price=D("0.00"))
    tier = TierFactory(name="Gold", code="gold")
    member = MemberFactory(user__email="dana@example.com", plan=plan, tier=tier)
    other = MemberFactory(user__email="noa@example.com", plan=plan)
    points.adjust_points(member, 1000, reason="Start", staff_user=None)
    # Points accounts are created on first use (points.services.get_account), so a
    # read could add one: every member of the world has theirs already.
    points.get_account(other)
    consent.record_consent(
        member.user,
        purpose="marketing",
        channel="email",
        action=ConsentRecord.GRANT,
        source=ConsentRecord.SOURCE_DOI,
    )
    staff = UserFactory(is_staff=True, is_superuser=True, email="staff@example.com")
    partner = PartnerFactory(name="Fuel", slug="fuel")
    burned = partner_services.burn_points(
        partner,
        {"card": member.number, "points": 10, "reference": "R", "idempotency_key": "fuzz-key-1"},
    )
    code = ReferralCodeFactory(member=member)
    referral = ReferralFactory(code=code)
    promotion = PointsPromotionFactory()
    draw = PrizeDrawFactory()
    objects = [plan, tier, member, other, staff, partner, code, promotion, draw, referral]
    pks = sorted({str(o.pk) for o in objects if o is not None})
    seeds = [
        member.number,
        member.formatted_number,
        other.number,
        code.code,
        partner.key_id,
        "fuzz-key-1",
        str(burned.transaction.public_id),
        "dana@example.com",
        "marketing",
        "email",
        "gold",
        "club",
        *pks,
    ]
    tokens = []
    for token in (
        make_unsubscribe_token(member.user.pk, message="email:test"),
        make_confirm_token(member.user.pk, record_id=1, purpose="marketing", channel="email"),
    ):
        # Only damaged tokens: a valid one changes consent, which is its job.
        tokens += _tampered(token)
    return World(member, other, staff, partner, pks=pks, seeds=seeds, tokens=tokens)
