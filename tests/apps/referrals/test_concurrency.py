"""Real threads against PostgreSQL: a referral is rewarded once and caps hold."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone
from oscar.test.factories import UserFactory, create_order, create_product

from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry
from oscar_loyalty.apps.referrals import rewards, services
from oscar_loyalty.apps.referrals.models import Referral
from oscar_loyalty.exceptions import ReferralError
from tests.apps.points.conftest import make_basket
from tests.concurrency import run_in_threads as shared_run_in_threads
from tests.factories import MemberFactory

THREADS = 8

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite locks the whole database file, so it cannot show row-lock races.",
    ),
]


def run_in_threads(target, count):
    return shared_run_in_threads(target, count, expected=ReferralError)


def test_parallel_maturing_rewards_the_referrer_once(referral_settings):
    referral_settings.OSCAR_LOYALTY_REFERRALS_FRIEND_REWARD = "none"
    code = services.get_code(MemberFactory())
    friend = UserFactory()
    referral = services.link_referee(friend, code.code, source="checkout")
    product = create_product(price=D("40.00"), num_in_stock=10)
    create_order(basket=make_basket(friend, products=[product]), user=friend)
    later = timezone.now() + timedelta(days=15)

    done, _ = run_in_threads(lambda i: rewards.mature_referral(referral, now=later), THREADS)
    assert len([r for r in done if r is not None]) == 1
    assert PointsEntry.objects.filter(idempotency_key__startswith="referral:").count() == 1
    assert PointsAccount.objects.get(member=code.member).balance == 500


def test_parallel_first_orders_respect_the_monthly_cap(referral_settings):
    referral_settings.OSCAR_LOYALTY_REFERRALS_FRIEND_REWARD = "none"
    referral_settings.OSCAR_LOYALTY_REFERRALS_MONTHLY_CAP = 2
    code = services.get_code(MemberFactory())
    orders = []
    for _ in range(THREADS):
        friend = UserFactory()
        product = create_product(price=D("40.00"), num_in_stock=10)
        order = create_order(basket=make_basket(friend, products=[product]), user=friend)
        services.link_referee(friend, code.code, source="link", first_order=order)
        orders.append(order)

    run_in_threads(lambda i: rewards.qualify_first_order(orders[i]), THREADS)
    statuses = list(Referral.objects.values_list("status", flat=True))
    assert statuses.count(Referral.PENDING) == 2
    assert statuses.count(Referral.CAPPED) == THREADS - 2
