"""The points app's steps for the club's order events (``oscar_loyalty.order_events``).

Registered when the app is ready. For a placed order the debit of the points
it spent is written first (order 30: captured inside the order transaction,
see ``redemption``), then its earning is recorded (40), after the membership
app recomputed the tier (20), so a member who moved up earns at the new
rate. A cancellation, a refund in full, a cancelled line and a refunded line
are reversed under the event's key (``PointsReversal``), once; the daily
catch-up (``catchup``) dispatches the event again when its key is missing.
"""

from __future__ import annotations

import logging

from oscar_loyalty import app_settings, order_events
from oscar_loyalty.exceptions import AlreadyReversed
from oscar_loyalty.order_events import (
    InStorePurchase,
    LineCancelled,
    LineRefunded,
    OrderCancelled,
    OrderPlaced,
    OrderRefunded,
    OrderStatusChanged,
)

from . import earning, redemption, reversal

logger = logging.getLogger(__name__)


def settle_spent_points(event: OrderPlaced) -> None:
    redemption.settle_for_order(event.order)


def record_earning(event: OrderPlaced | InStorePurchase) -> None:
    earning.record_earning_for_order(event.order)


def mature_earning(event: OrderStatusChanged) -> None:
    if event.new_status in app_settings.POINTS_MATURE_STATUSES:
        earning.mature_order(event.order)


def reverse(event: OrderCancelled | OrderRefunded | LineCancelled | LineRefunded) -> None:
    """Give back what the order (or the event's line) earned and spent, once per key."""
    if isinstance(event, OrderRefunded) and not event.in_full:
        return  # its lines, if Oscar was told them, follow as LineRefunded events
    try:
        if isinstance(event, LineCancelled | LineRefunded):
            reversal.reverse_lines(
                event.order, {event.line: event.quantity}, key=event.key, reason=event.reason
            )
        else:
            reversal.reverse_order(event.order, key=event.key, reason=event.reason)
    except AlreadyReversed:
        logger.info("%s of order %s was already reversed.", event.key, event.order.number)


def register() -> None:
    order_events.register(OrderPlaced, settle_spent_points, order=30)
    for event in (OrderPlaced, InStorePurchase):
        order_events.register(event, record_earning, order=40)
    order_events.register(OrderStatusChanged, mature_earning, order=40)
    for event in (OrderCancelled, OrderRefunded, LineCancelled, LineRefunded):
        order_events.register(event, reverse, order=40)
