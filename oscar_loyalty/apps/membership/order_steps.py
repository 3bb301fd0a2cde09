"""The membership app's steps for the club's order events (``oscar_loyalty.order_events``).

Registered when the app is ready. A membership bought by an order is
activated when it is placed and taken back when it is cancelled or refunded;
the member's tier is recomputed after each, before the points app quotes the
order's points (order 20 < 40). Every service here is idempotent, and the
daily reconciliation (``reconcile_recent_orders``) activates what a failed
step missed.
"""

from __future__ import annotations

from oscar_loyalty import order_events
from oscar_loyalty.order_events import (
    InStorePurchase,
    OrderCancelled,
    OrderPlaced,
    OrderRefunded,
)

from . import services
from .models import Member, TierChange


def activate_memberships(event: OrderPlaced) -> None:
    services.activate_memberships_for_order(event.order)


def reverse_memberships(event: OrderCancelled | OrderRefunded) -> None:
    """Any refund takes back a membership the order bought, as a cancellation does."""
    services.reverse_memberships_for_order(event.order)


def recompute_tier(event) -> None:
    """The order's spend counts (or stopped counting): the member's tier follows."""
    if isinstance(event, OrderRefunded) and not event.in_full:
        return  # a partly refunded order still counts in full (``counted_orders``)
    order = event.order
    member = Member.objects.filter(user_id=order.user_id).first() if order.user_id else None
    if member is not None:
        services.recompute_tier(member, reason=TierChange.REASON_ORDER)


def register() -> None:
    for event in (OrderPlaced,):
        order_events.register(event, activate_memberships, order=10)
    for event in (OrderCancelled, OrderRefunded):
        order_events.register(event, reverse_memberships, order=10)
    for event in (OrderPlaced, InStorePurchase, OrderCancelled, OrderRefunded):
        order_events.register(event, recompute_tier, order=20)
