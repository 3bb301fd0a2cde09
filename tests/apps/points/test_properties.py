"""Property test: any sequence of points operations keeps the books straight."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oscar_loyalty.apps.points import expiry, redemption, reversal, services, verification
from oscar_loyalty.apps.points.models import PointsAccount, PointsLot
from oscar_loyalty.exceptions import PointsError
from tests.apps.points.conftest import make_basket, place, reapply
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

prices = st.integers(min_value=1, max_value=30_000).map(lambda cents: D(cents) / 100)
operations = st.one_of(
    st.tuples(st.just("earn"), prices),
    st.tuples(st.just("redeem"), prices, st.integers(min_value=1, max_value=4000)),
    st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("refund"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("expire"), st.integers(min_value=0, max_value=900)),
    st.tuples(st.just("adjust"), st.integers(min_value=-3000, max_value=3000).filter(bool)),
)


def check_books(account_pk, negative_allowed):
    assert verification.verify_balances() == []
    assert not PointsLot.objects.filter(remaining__lt=0).exists()
    account = PointsAccount.objects.get(pk=account_pk)
    assert account.debt >= 0 and account.pending >= 0
    if not negative_allowed:
        assert account.balance >= 0


def run(member, op, orders, step):
    kind = op[0]
    if kind == "earn":
        orders.append(place(member.user, prices=[op[1]]))
    elif kind == "redeem":
        basket = make_basket(member.user, prices=[op[1]])
        try:
            redemption.reserve_points(basket, member.user, op[2])
        except PointsError:
            pass
        orders.append(place(member.user, basket=reapply(basket)))
    elif kind in ("cancel", "refund") and orders:
        order = orders[op[1] % len(orders)]
        try:
            if kind == "cancel":
                reversal.reverse_order(order, key=f"cancel:{order.pk}", reason="Cancelled")
            else:
                line = order.lines.first()
                reversal.reverse_lines(order, {line: 1}, key=f"refund:{step}", reason="Refund")
        except PointsError:
            pass
    elif kind == "expire":
        expiry.expire_points(now=timezone.now() + timedelta(days=op[1]))
    elif kind == "adjust":
        try:
            services.adjust_points(member, op[1], reason="Property", staff_user=None)
        except PointsError:
            pass


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operations, min_size=1, max_size=10), negative=st.booleans())
def test_balances_always_equal_the_ledger_and_no_lot_goes_negative(points_settings, ops, negative):
    points_settings.OSCAR_LOYALTY_POINTS_ALLOW_NEGATIVE_BALANCE = negative
    with transaction.atomic():
        member = MemberFactory()
        account = services.get_account(member)
        orders = []
        for step, op in enumerate(ops):
            run(member, op, orders, step)
            check_books(account.pk, negative)
        transaction.set_rollback(True)
