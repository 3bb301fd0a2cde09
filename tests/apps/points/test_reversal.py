from decimal import Decimal as D

import pytest
from oscar.apps.order.processing import EventHandler
from oscar.core.loading import get_model

from oscar_loyalty.apps.points import redemption, reversal, services, verification
from oscar_loyalty.apps.points.models import (
    PointsAccount,
    PointsEntry,
    PointsReversal,
)
from oscar_loyalty.exceptions import AlreadyReversed
from tests.apps.points.conftest import credit, make_basket, place, reapply

pytestmark = pytest.mark.django_db

PaymentEventType = get_model("order", "PaymentEventType")


def account(member):
    return PointsAccount.objects.get(member=member)


def spend_and_place(member, points, prices):
    basket = make_basket(member.user, prices=prices)
    redemption.reserve_points(basket, member.user, points)
    return place(member.user, basket=reapply(basket))


def test_cancelling_returns_spent_points_and_reverses_earned_ones_once(member, points_settings):
    credit(member, 1000)
    order = spend_and_place(member, 1000, [D("60.00")])
    assert account(member).balance == 50  # 0 left + 50 earned on 50.00 paid
    order.set_status("Cancelled")
    assert account(member).balance == 1000
    # The status changing again, or a refund arriving later, gives nothing more.
    with pytest.raises(AlreadyReversed):
        reversal.reverse_order(order, key=f"order:{order.pk}:cancelled", reason="again")
    EventHandler().handle_payment_event(
        order, PaymentEventType.objects.create(name="Refunded"), order.total_incl_tax
    )
    assert account(member).balance == 1000
    assert verification.verify_balances() == []


def test_returned_points_go_back_to_the_lots_they_came_from(member, points_settings):
    old = credit(member, 300)
    order = spend_and_place(member, 300, [D("50.00")])
    old.lot.refresh_from_db()
    assert old.lot.remaining == 0
    order.set_status("Cancelled")
    old.lot.refresh_from_db()
    assert old.lot.remaining == 300


def test_a_partial_refund_reverses_the_refunded_lines_at_the_rate_of_earning(
    member, points_settings
):
    order = place(member.user, prices=[D("30.00"), D("70.00")])
    assert account(member).balance == 100
    points_settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "10"  # today's rule must not matter
    line = order.lines.get(line_price_incl_tax=D("30.00"))
    refund = PaymentEventType.objects.create(name="Refund")
    EventHandler().handle_payment_event(order, refund, D("30.00"), [line], [1])
    assert account(member).balance == 70
    entry = PointsEntry.objects.get(kind=PointsEntry.REVERSE)
    assert (entry.points, entry.rate) == (-30, D("1.0000"))
    # The same line reversed again under another key finds nothing left.
    again = reversal.reverse_lines(order, {line: 1}, key="by-hand", reason="Again")
    assert (again.earned_reversed, account(member).balance) == (0, 70)


def test_a_refund_of_part_of_a_lines_quantity_reverses_that_share(member, points_settings):
    basket = make_basket(member.user, prices=[D("10.00")])
    basket.all_lines()[0].product  # noqa: B018
    line = basket.all_lines()[0]
    line.quantity = 4
    line.save()
    basket._lines = None
    order = place(member.user, basket=reapply(basket))
    assert account(member).balance == 40
    refund = PaymentEventType.objects.create(name="Refund")
    EventHandler().handle_payment_event(order, refund, D("10.00"), [order.lines.get()], [1])
    assert account(member).balance == 30


def test_cancelling_a_line_reverses_only_that_line(member, points_settings):
    order = place(member.user, prices=[D("30.00"), D("70.00")])
    order.lines.get(line_price_incl_tax=D("70.00")).set_status("Cancelled")
    assert account(member).balance == 30
    order.set_status("Cancelled")
    assert account(member).balance == 0
    assert PointsReversal.objects.count() == 2


def test_pending_points_are_reversed_without_touching_the_balance(member, points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 14
    order = place(member.user, prices=[D("30.00")])
    order.set_status("Cancelled")
    row = account(member)
    assert (row.pending, row.balance) == (0, 0)
    assert not PointsEntry.objects.exists()


def test_reversing_points_already_spent_records_a_debt_paid_by_the_next_earning(
    member, points_settings
):
    order = place(member.user, prices=[D("100.00")])
    services.adjust_points(member, -80, reason="Spent in store", staff_user=None)
    order.set_status("Cancelled")
    row = account(member)
    assert (row.balance, row.debt) == (0, 80)
    place(member.user, prices=[D("50.00")])
    row = account(member)
    assert (row.balance, row.debt) == (0, 30)
    place(member.user, prices=[D("50.00")])
    row = account(member)
    assert (row.balance, row.debt) == (20, 0)
    assert verification.verify_balances() == []


def test_a_setting_allows_a_negative_balance_instead_of_a_debt(member, points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_ALLOW_NEGATIVE_BALANCE = True
    order = place(member.user, prices=[D("100.00")])
    services.adjust_points(member, -80, reason="Spent in store", staff_user=None)
    order.set_status("Cancelled")
    row = account(member)
    assert (row.balance, row.debt) == (-80, 0)
    place(member.user, prices=[D("100.00")])
    assert account(member).balance == 20
    assert verification.verify_balances() == []


def test_a_whole_order_refund_without_lines_reverses_everything(member, points_settings):
    credit(member, 500)
    order = spend_and_place(member, 500, [D("20.00")])
    EventHandler().handle_payment_event(
        order, PaymentEventType.objects.create(name="Refunded"), order.total_incl_tax
    )
    assert account(member).balance == 500
