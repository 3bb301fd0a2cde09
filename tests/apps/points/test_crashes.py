"""A crash after any commit of a points path loses nothing once the daily catch-up ran.

The commits are found by running each path under ``tests.crashes.commits``;
then the path runs again once per commit, dying right after it, on a fresh
member each time. After each crash the store's recovery runs (the daily
catch-up, ``catchup.catch_up``) and the books must balance: the ledger and
every cached total agree (``verify_balances``), every points discount is
backed by exactly one debit (``verify_redemptions``), and the member's
balance is what the completed part of the story says, never a point more or less.
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.apps.order.processing import EventHandler
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from oscar_loyalty.apps.points import catchup, redemption, verification
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry
from oscar_loyalty.order_events import counted_orders
from tests.apps.points.conftest import balance, credit, make_basket, place, reapply
from tests.crashes import commits, crash_after
from tests.factories import MemberFactory

pytestmark = [
    # Real commits; serialized_rollback restores the data migrations' offers.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Order = get_model("order", "Order")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")


def recover():
    """What the store runs after a crash: the daily catch-up, once its settling time passed."""
    catchup.catch_up(now=timezone.now() + timedelta(hours=1))


def books_balance():
    later = timezone.now() + timedelta(days=1)
    assert verification.verify_balances() == []
    assert verification.verify_redemptions(now=later) == []


def checkout(member, product):
    basket = make_basket(member.user, products=[product])
    redemption.reserve_points(basket, member.user, 3000)
    return place(member.user, basket=reapply(basket))


def test_a_crash_after_any_commit_of_a_checkout_that_spends_points_loses_nothing(
    points_settings,
):
    product = create_product(price=D("100.00"), num_in_stock=1000)
    member = MemberFactory()
    credit(member, 5000)
    with commits() as found:
        checkout(member, product)
    assert found.count >= 5, found.labels  # the harness sees the path's commits
    assert balance(member) == 5000 - 3000 + 70

    for n in range(1, found.count + 1):
        member = MemberFactory()
        credit(member, 5000)
        with crash_after(n):
            checkout(member, product)
        recover()
        books_balance()
        order = Order.objects.filter(user=member.user).first()
        if order is None:  # died before the order committed: nothing spent
            assert balance(member) == 5000, n
        else:  # the order stands: its points are spent once and its earning recorded
            assert balance(member) == 5000 - 3000 + 70, (n, found.labels[n - 1])
            assert PointsEntry.objects.filter(order=order, kind=PointsEntry.REDEEM).count() == 1


def refund_item_by_item_then_cancel(order):
    refund = PaymentEventType.objects.get_or_create(name="Refund")[0]
    for line in order.lines.order_by("pk"):
        EventHandler().handle_payment_event(order, refund, line.line_price_incl_tax, [line], [1])
    order.set_status("Cancelled")


def test_a_crash_after_any_commit_of_refunds_and_a_cancellation_loses_nothing(points_settings):
    products = [create_product(price=D("30.00"), num_in_stock=1000) for _ in range(3)]

    def placed_order():
        member = MemberFactory()
        credit(member, 1000)
        basket = make_basket(member.user, products=products)
        redemption.reserve_points(basket, member.user, 1000)
        order = place(member.user, basket=reapply(basket))
        assert balance(member) == 78  # 0 left + 3 x 26 earned on 3 x 26.67 paid
        return member, Order.objects.get(pk=order.pk)

    member, order = placed_order()
    with commits() as found:
        refund_item_by_item_then_cancel(order)
    assert found.count >= 4, found.labels
    assert balance(member) == 1000

    for n in range(1, found.count + 1):
        member, order = placed_order()
        with crash_after(n):
            refund_item_by_item_then_cancel(order)
        recover()
        books_balance()
        # Whatever had committed is reversed in full, once: each refunded item
        # gives back its share of the 1000 spent and takes its earned points.
        order = Order.objects.get(pk=order.pk)
        account = PointsAccount.objects.get(member=member)
        refunded = PaymentEventQuantity.objects.filter(event__order=order).count()
        # Item by item: 333, 666 then all 1000 spent come back (a cumulative
        # target), and 26 earned per item go; a cancellation returns the rest,
        # and so does the third refund as soon as its event is saved: the
        # refunds then reach the order's total (it no longer counts), even if
        # the crash came before its line was recorded.
        refunded_in_full = order not in counted_orders()
        expected = (
            1000
            if order.status == "Cancelled" or refunded_in_full
            else [78, 385, 692, 1000][refunded]
        )
        assert account.balance == expected, (n, found.labels[n - 1])
