"""The challenges app's steps for the club's order events (``oscar_loyalty.order_events``).

Order 70: after the referrals app qualified the friend's first order (50) and
the journey (60), so a referral step sees the referral's new status. Every
step is idempotent (steps are keyed by their source), as the catch-up may
tell an event again.
"""

from __future__ import annotations

from oscar_loyalty import order_events
from oscar_loyalty.order_events import (
    InStorePurchase,
    LineCancelled,
    LineRefunded,
    OrderCancelled,
    OrderPlaced,
    OrderRefunded,
)

from . import sources

ORDER = 70


def record_order(event: OrderPlaced | InStorePurchase) -> None:
    sources.record_order(event.order)


def undo_order(event: OrderCancelled | OrderRefunded) -> None:
    if isinstance(event, OrderRefunded) and not event.in_full:
        # A partial refund leaves the order counting; its lines tell what went.
        return
    sources.undo_order(event.order)


def undo_lines(event: LineCancelled | LineRefunded) -> None:
    sources.undo_lines(event.order)


def register() -> None:
    for event in (OrderPlaced, InStorePurchase):
        order_events.register(event, record_order, order=ORDER)
    for event in (OrderCancelled, OrderRefunded):
        order_events.register(event, undo_order, order=ORDER)
    for event in (LineCancelled, LineRefunded):
        order_events.register(event, undo_lines, order=ORDER)
