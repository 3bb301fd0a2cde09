"""Capture in Oscar's order transaction, ledger debit in the order task (settlement).

The checkout request marks the reservation captured with one UPDATE; the
ledger entry, lots and totals follow in the task. Between the two the points
are held: nothing can spend them twice, and nothing is lost if the task is.
"""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from oscar_loyalty.apps.points import redemption, reversal, services, verification
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry, PointsRedemption
from oscar_loyalty.exceptions import InsufficientPoints
from oscar_loyalty.orders import process_placed_order
from tests.apps.points.conftest import credit, make_basket, place, reapply

pytestmark = pytest.mark.django_db

OrderDiscount = get_model("order", "OrderDiscount")
OrderLineDiscount = get_model("order", "OrderLineDiscount")


@pytest.fixture
def queue_that_does_not_run(settings):
    """A real task queue whose worker has not run yet (the request returns first)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def spend(member, points, prices=(D("100.00"),)):
    basket = make_basket(member.user, prices=prices)
    redemption.reserve_points(basket, member.user, points)
    return place(member.user, basket=reapply(basket))


def test_placing_the_order_captures_the_points_and_the_task_writes_the_debit(
    member, points_settings, queue_that_does_not_run
):
    credit(member, 5000)
    order = spend(member, 3000)

    row = PointsRedemption.objects.get(order=order)
    assert (row.status, row.captured_points, row.captured_entry) == ("captured", 3000, None)
    # The ledger has not moved yet, but the points are held: not spendable.
    assert PointsAccount.objects.get(member=member).balance == 5000
    summary = services.get_summary(member.user)
    assert (summary.balance, summary.reserved, summary.available) == (5000, 3000, 2000)

    process_placed_order.call(order.pk)
    row.refresh_from_db()
    assert row.captured_entry.points == -3000
    assert row.captured_entry.idempotency_key == f"redeem:{order.pk}"
    summary = services.get_summary(member.user)
    assert (summary.balance, summary.reserved) == (2000 + 70, 0)  # 70 earned on 70.00 paid
    assert verification.verify_balances() == []


def test_captured_points_cannot_be_reserved_again_before_the_task_runs(
    member, points_settings, queue_that_does_not_run
):
    credit(member, 100)
    spend(member, 80)
    second = make_basket(member.user, prices=[D("10.00")])
    with pytest.raises(InsufficientPoints, match="20 points available"):
        redemption.reserve_points(second, member.user, 50)
    assert redemption.reserve_points(second, member.user, 20).points == 20


def test_running_the_order_task_twice_or_the_daily_job_after_it_debits_once(
    member, points_settings, queue_that_does_not_run
):
    credit(member, 1000)
    order = spend(member, 500)
    process_placed_order.call(order.pk)
    process_placed_order.call(order.pk)
    assert redemption.settle_captured_redemptions() == 0
    assert PointsEntry.objects.filter(order=order, kind=PointsEntry.REDEEM).count() == 1
    assert PointsAccount.objects.get(member=member).balance == 1000 - 500 + 95


def test_the_daily_job_writes_the_debit_of_an_order_whose_task_was_lost(
    member, points_settings, queue_that_does_not_run
):
    credit(member, 1000)
    order = spend(member, 400)
    assert redemption.settle_captured_redemptions() == 1
    entry = PointsRedemption.objects.get(order=order).captured_entry
    assert entry.points == -400
    assert redemption.settle_captured_redemptions() == 0
    assert PointsAccount.objects.get(member=member).balance == 600


def test_cancelling_before_the_task_ran_returns_the_points_to_their_lots(
    member, points_settings, queue_that_does_not_run
):
    credit(member, 1000)
    order = spend(member, 300)
    result = reversal.reverse_order(order, key="cancel-early", reason="Cancelled")
    assert result.spent_returned == 300
    account = PointsAccount.objects.get(member=member)
    assert account.balance == 1000
    assert services.get_summary(member.user).reserved == 0
    assert verification.verify_balances() == []


def test_the_capture_is_one_update_and_the_points_discount_writes_no_per_line_rows(
    member, points_settings, queue_that_does_not_run
):
    credit(member, 5000)
    basket = make_basket(member.user, prices=[D("10.00")] * 5)
    redemption.reserve_points(basket, member.user, 1000)
    reapply(basket)
    order_box = {}

    with CaptureQueriesContext(connection) as queries:
        order_box["order"] = place(member.user, basket=basket)
    order = order_box["order"]
    touching = [q["sql"] for q in queries if "loyalty_points" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("UPDATE")
    discount = OrderDiscount.objects.get(order=order, offer_name="Club points")
    assert discount.amount == D("10.00")
    assert not OrderLineDiscount.objects.filter(order_discount=discount).exists()
    # Each line's paid price still carries its share of the points.
    assert sum(line.line_price_incl_tax for line in order.lines.all()) == D("40.00")


def test_a_reservation_released_after_the_discount_was_worked_out_is_still_charged(
    member, points_settings, queue_that_does_not_run
):
    credit(member, 1000)
    basket = make_basket(member.user, prices=[D("100.00")])
    redemption.reserve_points(basket, member.user, 200)
    reapply(basket)
    # Another tab removes the points after this request applied the discount.
    PointsRedemption.objects.filter(basket=basket).update(status=PointsRedemption.RELEASED)
    order = place(member.user, basket=basket)
    assert order.total_incl_tax == D("98.00")
    row = PointsRedemption.objects.get(order=order)
    assert (row.status, row.captured_points) == (PointsRedemption.CAPTURED, 200)
    process_placed_order.call(order.pk)
    assert PointsAccount.objects.get(member=member).balance == 1000 - 200 + 98


@pytest.fixture
def database_queue(settings):
    """The sandbox's queue: django-tasks' database backend, on the shop's database."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued_orders():
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path__endswith="process_placed_order")
    return [row.args_kwargs["args"][0] for row in rows]


def test_with_the_database_queue_the_settlement_task_is_written_in_the_order_transaction_once(
    member, points_settings, database_queue
):
    credit(member, 1000)
    order = spend(member, 300)
    assert queued_orders() == [order.pk]  # not enqueued a second time by order_placed
    earning_only = place(member.user)
    assert queued_orders() == [order.pk, earning_only.pk]
    process_placed_order.call(order.pk)
    assert PointsRedemption.objects.get(order=order).captured_entry.points == -300


def test_an_order_rolled_back_after_the_capture_leaves_neither_task_nor_capture(
    member, points_settings, database_queue
):
    from django.db import transaction

    credit(member, 1000)
    basket = make_basket(member.user, prices=[D("100.00")])
    redemption.reserve_points(basket, member.user, 300)
    reapply(basket)
    with pytest.raises(RuntimeError), transaction.atomic():
        place(member.user, basket=basket)
        raise RuntimeError("the payment gateway failed after the order rows were written")
    assert queued_orders() == []
    row = PointsRedemption.objects.get(basket=basket)
    assert (row.status, row.order_id) == (PointsRedemption.RESERVED, None)


def test_with_the_database_queue_an_earning_only_order_writes_its_task_in_the_order_transaction(
    member, points_settings, database_queue
):
    from django.db.models.signals import post_save

    OrderLine = get_model("order", "Line")
    seen = []

    def on_line_saved(sender, instance, created, **kwargs):
        # Oscar writes the lines after the order, in the same transaction.
        seen.append(queued_orders())

    post_save.connect(on_line_saved, sender=OrderLine, weak=False)
    try:
        order = place(member.user, basket=make_basket(member.user, prices=[D("40.00")]))
    finally:
        post_save.disconnect(on_line_saved, sender=OrderLine)
    # The task row was there before the transaction ended: it commits with the order.
    assert seen == [[order.pk]]
    assert queued_orders() == [order.pk]  # once: order_placed saw it was written


# Real autocommit: the suite's usual test transaction would count as Oscar's.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_order_saved_outside_a_transaction_is_enqueued_after_its_lines_by_order_placed(
    member, points_settings, database_queue
):
    from oscar.test.factories import OrderFactory

    from oscar_loyalty.order_events.receivers import on_order_placed

    # A script that writes an order row by row: no task yet, the worker would
    # otherwise read an order without its lines.
    order = OrderFactory(user=member.user)
    assert queued_orders() == []
    on_order_placed(sender=None, order=order, user=member.user)
    assert queued_orders() == [order.pk]
