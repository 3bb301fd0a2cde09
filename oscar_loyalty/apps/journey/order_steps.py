"""The journey app's step for the club's order events (``oscar_loyalty.order_events``).

The channel of a placed order is recorded last (order 60), in the order's
background task, never during the checkout request: web, unless the code
that placed the order recorded another (the till records "in_store" itself).
"""

from __future__ import annotations

from oscar_loyalty import order_events
from oscar_loyalty.order_events import OrderPlaced

from . import services


def record_channel(event: OrderPlaced) -> None:
    services.record_default_channel(event.order)


def register() -> None:
    order_events.register(OrderPlaced, record_channel, order=60)
