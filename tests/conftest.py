"""Fixtures shared by the whole suite."""

from decimal import Decimal as D

import pytest
from oscar.test.factories import (
    ProductClassFactory,
    create_product,
    create_stockrecord,
)

from oscar_loyalty import app_settings
from tests.factories import PlanFactory


@pytest.fixture(autouse=True)
def _english_and_anymail_outbox(settings, mailoutbox):
    settings.LANGUAGE_CODE = "en"
    # Django's test set-up swaps in locmem; put Anymail's test backend back so
    # every test sends through Anymail's real payload code (it also fills
    # mail.outbox, and adds ``anymail_test_params`` to each message).
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    return mailoutbox


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters (oscar_loyalty.ratelimit) live in the cache, which
    # outlives each test's database: every test starts with none.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_joining_hint():
    # The guests' earn hint keeps the joining tier in the process (points.hints);
    # a test's rolled-back tiers send no signal, so every test starts without it.
    from django.apps import apps

    if apps.is_installed("oscar_loyalty.apps.points"):
        from oscar_loyalty.apps.points import hints

        hints.forget_joining_member()
    # Likewise the products a reward can put in a basket (rewards.receivers).
    if apps.is_installed("oscar_loyalty.apps.rewards"):
        from oscar_loyalty.apps.rewards import receivers

        receivers.forget_reward_products()
    # And the tier-only products (offers.tier_only), kept per process for a minute:
    # every test's store starts with none (a save in the test clears this copy).
    if apps.is_installed("oscar_loyalty.apps.offers"):
        from oscar_loyalty.apps.offers import tier_only

        tier_only.remember_no_tier_only_products()


@pytest.fixture
def free_plan(db):
    return PlanFactory(name="Club", slug="club", price=D("0.00"))


@pytest.fixture
def membership_class(db):
    return ProductClassFactory(
        name=app_settings.MEMBERSHIP_PRODUCT_CLASS, requires_shipping=False, track_stock=False
    )


@pytest.fixture
def vip_plan(db, membership_class):
    product = create_product(title="VIP year", product_class=membership_class)
    create_stockrecord(product, price=D("99.00"), num_in_stock=None)
    return PlanFactory(
        name="VIP",
        slug="vip",
        price=D("99.00"),
        period_months=12,
        product=product,
        card_transferable=True,
    )
