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


def _delete_instead_of_truncate() -> None:
    """Empty PostgreSQL's tables after a transactional test with DELETE, not TRUNCATE.

    Django's ``flush`` (run after every transactional test: the concurrency, crash,
    kill and browser tests) truncates all 200-odd tables in one statement, which
    gives each table and index new files: 0.7 to 1.5 s a test on a two-core
    machine. Deleting the few rows a test wrote takes 0.04 s, and is equivalent:
    every foreign key Django creates on PostgreSQL is checked at commit (DEFERRABLE
    INITIALLY DEFERRED), flush runs in one transaction, and no table has a trigger.
    A test that asks for ``reset_sequences`` keeps Django's TRUNCATE ... RESTART IDENTITY.
    Only this test process is affected; the workers tests start never flush.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences:
            return truncate(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
        delete = style.SQL_KEYWORD("DELETE FROM")
        return [f"{delete} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    DatabaseOperations.sql_flush = sql_flush


_delete_instead_of_truncate()


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
