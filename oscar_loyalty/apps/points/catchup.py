"""Catch-up: redo the order work a crash, a lost task or a failed receiver skipped.

Every piece of order work is idempotent under a key (an order's earning, its
redemption's settlement, a reversal's ``PointsReversal.key``), so the daily
job may simply run it again wherever its evidence is missing:

* a placed order of a member with no earning (the task's last points step):
  the whole order task (``oscar_loyalty.orders.process_placed_order``) runs again;
* a captured redemption without its debit: settled (``settle_captured_redemptions``);
* a cancelled order, a cancelled line or a refund event whose reversal key
  has no ``PointsReversal``: reversed as its receiver would have.

With it, a crash between any two commits of the checkout or of a reversal
loses nothing: ``tests/apps/points/test_crashes.py`` crashes at every commit
it finds and checks the books after this catch-up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.exceptions import AlreadyReversed
from oscar_loyalty.order_events import counted_orders

from . import redemption, reversal
from .models import PointsEarning, PointsRedemption, PointsReversal

logger = logging.getLogger(__name__)

# Orders younger than this are left to their own task, which runs within seconds.
SETTLING_TIME = timedelta(minutes=10)


@dataclass(frozen=True)
class CatchUp:
    orders_redone: int
    captures_settled: int
    reversals: int


def catch_up(*, days: int = 14, now: datetime | None = None) -> CatchUp:
    """Redo what is missing for orders placed or refunded in the last ``days`` days."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    settled = redemption.settle_captured_redemptions(now=now)
    redone = _redo_lost_order_tasks(since=since, until=now - SETTLING_TIME)
    reversed_ = _redo_missing_reversals(since=since, now=now)
    return CatchUp(orders_redone=redone, captures_settled=settled, reversals=reversed_)


def _redo_lost_order_tasks(*, since: datetime, until: datetime) -> int:
    from oscar_loyalty.orders import process_placed_order

    lost = (
        counted_orders()
        .filter(date_placed__gte=since, date_placed__lt=until)
        .filter(Exists(Member.objects.filter(user_id=OuterRef("user_id"))))
        # The earning is the task's last points step: without it, redo the task
        # (an order that earns nothing is redone each day of the window, harmlessly).
        .exclude(Exists(PointsEarning.objects.filter(order_id=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    redone = 0
    for order_id in lost.iterator():
        # Every step is idempotent; an order that earns nothing is simply redone again.
        process_placed_order.call(order_id)
        redone += 1
    return redone


def _reverse(order, *, key: str, reason: str, lines: dict | None = None) -> int:
    try:
        if lines is None:
            result = reversal.reverse_order(order, key=key, reason=reason)
        else:
            result = reversal.reverse_lines(order, lines, key=key, reason=reason)
    except AlreadyReversed:
        return 0
    return 1 if result is not None else 0


def _redo_missing_reversals(*, since: datetime, now: datetime) -> int:
    """Run every reversal of the window whose key has no ``PointsReversal``, in order."""
    Order = get_model("order", "Order")
    Line = get_model("order", "Line")
    PaymentEvent = get_model("order", "PaymentEvent")
    has_points = Exists(PointsEarning.objects.filter(order_id=OuterRef("pk"))) | Exists(
        PointsRedemption.objects.filter(order_id=OuterRef("pk"))
    )
    # (key, order, reason, lines): what each receiver would have done, in the
    # order the receivers run (cancellations, then refunds, then cancelled lines).
    wanted: list[tuple[str, object, str, dict | None]] = []
    cancelled = Order.objects.filter(
        has_points, status__in=app_settings.CANCELLED_ORDER_STATUSES, date_placed__gte=since
    )
    for order in cancelled.order_by("pk").iterator():
        reason = f"Order {order.status.lower()}"
        wanted.append((f"order:{order.pk}:cancelled", order, reason, None))
    refunds = (
        PaymentEvent.objects.filter(
            event_type__name__in=app_settings.REFUND_EVENT_TYPES,
            date_created__gte=since,
            order__in=Order.objects.filter(has_points),
        )
        .select_related("order")
        .prefetch_related("line_quantities__line")
        .order_by("pk")
    )
    for event in refunds.iterator(chunk_size=200):
        if event.amount >= event.order.total_incl_tax:
            reason = f"Refund {event.reference or ''}".strip()
            wanted.append((f"refund:{event.pk}", event.order, reason, None))
        for quantity in event.line_quantities.all():
            key = f"refund:{event.pk}:line:{quantity.line_id}"
            wanted.append((key, event.order, "Refund", {quantity.line: quantity.quantity}))
    lines = Line.objects.filter(
        status__in=app_settings.CANCELLED_ORDER_STATUSES,
        order__in=Order.objects.filter(has_points, date_placed__gte=since),
    ).select_related("order")
    for line in lines.order_by("pk").iterator():
        reason = f"Item {line.status.lower()}"
        wanted.append((f"line:{line.pk}:cancelled", line.order, reason, {line: line.quantity}))

    # One query per thousand keys, not one per candidate: most are long done.
    keys = [key for key, *_rest in wanted]
    done: set[str] = set()
    for start in range(0, len(keys), 1000):
        done.update(
            PointsReversal.objects.filter(key__in=keys[start : start + 1000]).values_list(
                "key", flat=True
            )
        )
    return sum(
        _reverse(order, key=key, reason=reason, lines=lines)
        for key, order, reason, lines in wanted
        if key not in done
    )
