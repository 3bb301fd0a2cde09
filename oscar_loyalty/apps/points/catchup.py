"""Catch-up: redo the order work a crash, a lost task or a failed receiver skipped.

Every piece of order work is idempotent under a key (an order's earning, its
redemption's settlement, a reversal's ``PointsReversal.key``), so the daily
job may simply run it again wherever its evidence is missing:

* a placed order of a member with no earning (the task's last points step):
  the whole order task (``oscar_loyalty.orders.process_placed_order``) runs
  again, dispatching the order's club event (``OrderPlaced``, or
  ``InStorePurchase`` for the till's) to every app's steps;
* a captured redemption without its debit: settled (``settle_captured_redemptions``);
* a cancelled order, a cancelled line or a refund whose reversal key has no
  ``PointsReversal``: its club event, told again from Oscar's rows by the
  receivers' own translation (``order_events.replay``), is dispatched again.

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

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.order_events import OrderRefunded, counted_orders, dispatch, replay

from . import redemption
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
    reversed_ = _redo_missing_reversals(since=since)
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


def _redo_missing_reversals(*, since: datetime) -> int:
    """Dispatch again every reversal event of the window whose key has no ``PointsReversal``.

    The events come from ``order_events.replay``, the receivers' own translation,
    so every app's steps run again for them (each is idempotent), not only the points'.
    A refund that is not in full has no reversal of its own (its lines do).
    """
    Order = get_model("order", "Order")
    has_points = Exists(PointsEarning.objects.filter(order_id=OuterRef("pk"))) | Exists(
        PointsRedemption.objects.filter(order_id=OuterRef("pk"))
    )
    told = [
        event
        for event in replay.reversals(Order.objects.filter(has_points), since=since)
        if not (isinstance(event, OrderRefunded) and not event.in_full)
    ]
    # One query per thousand keys, not one per event: most are long done.
    keys = [event.key for event in told]
    done: set[str] = set()
    for start in range(0, len(keys), 1000):
        done.update(
            PointsReversal.objects.filter(key__in=keys[start : start + 1000]).values_list(
                "key", flat=True
            )
        )
    missing = [event for event in told if event.key not in done]
    for event in missing:
        dispatch(event)
    return len(missing)
