"""The referrals app's steps for the club's order events (``oscar_loyalty.order_events``).

Registered when the app is ready. A referee's first order qualifies the
referral once the points are recorded (order 50); the referral matures with
the order's points and is taken back when the first order is cancelled or
refunded in full. Every service here locks the referral and is idempotent.
"""

from __future__ import annotations

from oscar_loyalty import app_settings, order_events
from oscar_loyalty.order_events import (
    OrderCancelled,
    OrderPlaced,
    OrderRefunded,
    OrderStatusChanged,
)

from . import rewards


def qualify_first_order(event: OrderPlaced) -> None:
    rewards.qualify_first_order(event.order)


def mature_referral(event: OrderStatusChanged) -> None:
    if event.new_status in app_settings.POINTS_MATURE_STATUSES:
        rewards.mature_order(event.order)


def reverse_referral(event: OrderCancelled | OrderRefunded) -> None:
    if isinstance(event, OrderRefunded):
        if event.in_full:
            rewards.reverse_order(event.order, reason="Refunded")
        return
    rewards.reverse_order(event.order, reason=event.reason)


def register() -> None:
    order_events.register(OrderPlaced, qualify_first_order, order=50)
    order_events.register(OrderStatusChanged, mature_referral, order=50)
    for event in (OrderCancelled, OrderRefunded):
        order_events.register(event, reverse_referral, order=50)
