"""Oscar's order events become the club's own once, and each app's steps run in their order.

Real orders through Oscar's ``OrderCreator``, status changes through Oscar's
``set_status`` and refunds through its ``EventHandler``: what the boundary
dispatches is recorded by a step registered for every event, as a store's
own step would be.
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone
from oscar.apps.order.processing import EventHandler
from oscar.core.loading import get_model

from oscar_loyalty import order_events
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.partners import instore
from oscar_loyalty.apps.points import catchup, reversal
from oscar_loyalty.apps.points.models import PointsEarning, PointsReversal
from oscar_loyalty.order_events import (
    EVENTS,
    InStorePurchase,
    LineCancelled,
    LineRefunded,
    OrderCancelled,
    OrderPlaced,
    OrderRefunded,
    OrderStatusChanged,
)
from tests.apps.points.conftest import balance, place
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db

PaymentEventType = get_model("order", "PaymentEventType")
Order = get_model("order", "Order")


class Recorder(list):
    """A step registered for every club event (last): what was dispatched, in order."""

    def __call__(self, event):
        self.append(event)


@pytest.fixture
def told():
    recorder = Recorder()
    for name in EVENTS:
        order_events.register(name, recorder, order=1000)
    yield recorder
    for name in EVENTS:
        order_events.unregister(name, recorder)


@pytest.fixture
def statuses(settings, points_settings):
    settings.OSCAR_LOYALTY_POINTS_MATURE_STATUSES = ["Complete"]
    return settings


def addon_steps(event):
    """The add-on's own steps (the sandbox store adds one of its own)."""
    return [step for step in order_events.steps(event) if step[1].startswith("oscar_loyalty.")]


def test_the_apps_steps_run_in_the_documented_order():
    assert addon_steps(OrderPlaced) == [
        (10, "oscar_loyalty.apps.membership.order_steps.activate_memberships"),
        (20, "oscar_loyalty.apps.membership.order_steps.recompute_tier"),
        (30, "oscar_loyalty.apps.points.order_steps.settle_spent_points"),
        (40, "oscar_loyalty.apps.points.order_steps.record_earning"),
        (50, "oscar_loyalty.apps.referrals.order_steps.qualify_first_order"),
        (60, "oscar_loyalty.apps.journey.order_steps.record_channel"),
        (70, "oscar_loyalty.apps.challenges.order_steps.record_order"),
    ]
    assert addon_steps(InStorePurchase) == [
        (20, "oscar_loyalty.apps.membership.order_steps.recompute_tier"),
        (40, "oscar_loyalty.apps.points.order_steps.record_earning"),
        (70, "oscar_loyalty.apps.challenges.order_steps.record_order"),
    ]
    assert [label for _o, label in addon_steps(OrderCancelled)] == [
        "oscar_loyalty.apps.membership.order_steps.reverse_memberships",
        "oscar_loyalty.apps.membership.order_steps.recompute_tier",
        "oscar_loyalty.apps.points.order_steps.reverse",
        "oscar_loyalty.apps.rewards.order_steps.return_rewards",
        "oscar_loyalty.apps.referrals.order_steps.reverse_referral",
        "oscar_loyalty.apps.challenges.order_steps.undo_order",
    ]


def test_each_oscar_order_event_is_dispatched_once_as_one_club_event(told, member, statuses):
    order = place(member.user, prices=[D("10.00"), D("20.00")])
    first, second = order.lines.order_by("pk")
    order = Order.objects.get(pk=order.pk)
    order.set_status("Being processed")
    first.set_status("Cancelled")
    refund = PaymentEventType.objects.create(name="Refund")
    EventHandler().handle_payment_event(order, refund, D("20.00"), [second], [1])
    order.set_status("Cancelled")

    assert [type(event) for event in told] == [
        OrderPlaced,
        OrderStatusChanged,
        LineCancelled,
        OrderRefunded,
        LineRefunded,
        OrderCancelled,
    ]
    placed, moved, line, refunded, refunded_line, cancelled = told
    assert placed.key == f"order:{order.pk}:placed"
    assert (moved.old_status, moved.new_status) == ("Pending", "Being processed")
    assert (line.line, line.quantity, line.key) == (first, 1, f"line:{first.pk}:cancelled")
    assert (refunded.amount, refunded.in_full) == (D("20.00"), False)
    assert refunded_line.key == f"refund:{refunded.payment_event.pk}:line:{second.pk}"
    assert (cancelled.status, cancelled.key) == ("Cancelled", f"order:{order.pk}:cancelled")


def test_a_failing_step_is_logged_and_the_next_steps_still_run(member, points_settings, caplog):
    def broken(event):
        raise RuntimeError("a store's step has a bug")

    def broken_sql(event):
        # A database error: on PostgreSQL it would poison the caller's transaction
        # for every later step, were the step not in a savepoint of its own.
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_at_all")

    with (
        order_events.registered(OrderPlaced, broken, order=5),
        order_events.registered(OrderPlaced, broken_sql, order=25),
    ):
        order = place(member.user, prices=[D("30.00")])
    assert PointsEarning.objects.filter(order=order).exists()
    assert balance(member) == 30
    failures = [r.getMessage() for r in caplog.records if r.name == "oscar_loyalty.order_events"]
    assert len(failures) == 2 and all("failed for order" in text for text in failures)


def test_register_refuses_an_event_that_does_not_exist():
    with pytest.raises(ValueError, match="order_shipped"):
        order_events.register("order_shipped", print)


def test_a_refund_in_two_parts_reverses_the_order_when_the_second_reaches_its_total(
    member, points_settings, told
):
    order = place(member.user, prices=[D("40.00")])
    assert balance(member) == 40
    refund = PaymentEventType.objects.create(name="Refunded")
    EventHandler().handle_payment_event(order, refund, D("15.00"))  # no lines given
    assert balance(member) == 40
    EventHandler().handle_payment_event(order, refund, D("25.00"))
    assert [e.in_full for e in told if isinstance(e, OrderRefunded)] == [False, True]
    assert balance(member) == 0
    assert order not in order_events.counted_orders()


def test_a_refund_in_full_moves_the_member_down_a_tier_at_once(points_settings):
    silver = TierFactory(name="Silver", code="silver", qualifying_spend=D("100.00"))
    member = MemberFactory()
    order = place(member.user, prices=[D("150.00")])
    assert Member.objects.get(pk=member.pk).tier == silver
    refund = PaymentEventType.objects.create(name="Refund")
    EventHandler().handle_payment_event(order, refund, order.total_incl_tax)
    assert Member.objects.get(pk=member.pk).tier is None


def test_a_till_purchase_is_its_own_event_and_the_catch_up_tells_it_the_same_way(
    member, points_settings, told
):
    order, _created = instore.record_purchase(member, amount=D("25.00"), receipt="R-1")
    assert [type(event) for event in told] == [InStorePurchase]
    assert order_events.placed(Order.objects.get(pk=order.pk)) == InStorePurchase(order=order)


def test_the_catch_up_dispatches_a_lost_cancellation_to_every_app_under_its_key(
    member, points_settings, told, monkeypatch
):
    order = place(member.user, prices=[D("50.00")])
    assert balance(member) == 50

    def crash(*args, **kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(reversal, "reverse_order", crash)
    Order.objects.get(pk=order.pk).set_status("Cancelled")
    monkeypatch.undo()
    assert balance(member) == 50 and not PointsReversal.objects.exists()
    told.clear()

    catchup.catch_up(now=timezone.now() + timedelta(hours=1))
    assert [(type(e), e.key) for e in told] == [(OrderCancelled, f"order:{order.pk}:cancelled")]
    assert balance(member) == 0
    told.clear()
    catchup.catch_up(now=timezone.now() + timedelta(hours=1))
    assert told == []  # its key is done: nothing is told twice


def test_the_sandbox_stores_own_step_notes_a_cancelled_order_once(member, points_settings):
    from sandbox.demo.order_steps import NOTE

    assert order_events.steps(OrderCancelled)[-1] == (
        100,
        "sandbox.demo.order_steps.note_the_reversal",
    )
    order = Order.objects.get(pk=place(member.user, prices=[D("10.00")]).pk)
    order.set_status("Cancelled")
    order_events.dispatch(OrderCancelled(order=order, status="Cancelled"))  # told again
    note = NOTE.format(key=f"order:{order.pk}:cancelled")
    assert list(order.notes.values_list("message", flat=True)) == [note]
