"""Referral fixtures: a referrer, predictable rewards and the new customer's voucher offer."""

from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.test import Client
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_product

from oscar_loyalty.apps.referrals import services
from oscar_loyalty.apps.referrals.friend_offer import ensure_friend_offer
from tests.factories import MemberFactory

ConditionalOffer = get_model("offer", "ConditionalOffer")


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    """The rate limit lives in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def referral_settings(settings):
    settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 14
    settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "1"
    settings.OSCAR_LOYALTY_REFERRALS_REFERRER_REWARD = "points"
    settings.OSCAR_LOYALTY_REFERRALS_REFERRER_POINTS = 500
    settings.OSCAR_LOYALTY_REFERRALS_FRIEND_REWARD = "voucher"
    settings.OSCAR_LOYALTY_REFERRALS_FRIEND_OFFER = "referral-friend"
    settings.OSCAR_LOYALTY_REFERRALS_RATE_LIMIT = (1000, 3600)
    return settings


@pytest.fixture
def friend_offer(db):
    """10 % off everything, as a voucher offer (made on first use, as the first referral would)."""
    ensure_friend_offer("referral-friend")
    offer = ConditionalOffer.objects.get(slug="referral-friend")
    assert offer.offer_type == ConditionalOffer.VOUCHER
    return offer


@pytest.fixture
def referrer(db, referral_settings, friend_offer):
    return MemberFactory(user__email="Dana.Levi@gmail.com")


@pytest.fixture
def code(referrer):
    return services.get_code(referrer)


@pytest.fixture
def product(db):
    return create_product(price=D("100.00"), num_in_stock=100, title="Kettle")


@pytest.fixture
def friend(db):
    return UserFactory(email="noa@example.com")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
