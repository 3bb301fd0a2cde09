"""The rewards app's steps for the club's order events (``oscar_loyalty.order_events``).

A cancelled order (or one refunded in full) gives back the points of the
rewards it captured, once each (``services.return_for_order``: a conditional
status change and a unique ledger key), after the points app's own reversal
(40). A line refunded or cancelled on its own gives back the rewards whose
unit it held (``services.return_for_given_back_line``: the reward's unit is
the last of its product's units to come back), through the same
``return_points``. The daily job ``rewards.release`` is the net for a step
that failed.
"""

from __future__ import annotations

from oscar_loyalty import order_events
from oscar_loyalty.order_events import LineCancelled, LineRefunded, OrderCancelled, OrderRefunded

from . import services


def return_rewards(event: OrderCancelled | OrderRefunded) -> None:
    if isinstance(event, OrderRefunded) and not event.in_full:
        return  # its lines follow as ``LineRefunded``
    services.return_for_order(event.order, reason=f"Order {event.order.number}: {event.reason}")


def return_line_rewards(event: LineRefunded | LineCancelled) -> None:
    services.return_for_given_back_line(
        event.line, reason=f"Order {event.order.number}: {event.reason}"
    )


def register() -> None:
    for event in (OrderCancelled, OrderRefunded):
        order_events.register(event, return_rewards, order=45)
    for event in (LineRefunded, LineCancelled):
        order_events.register(event, return_line_rewards, order=45)
