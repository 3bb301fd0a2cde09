"""The sandbox store's own step for the club's order events: an example to copy.

When an order is cancelled or refunded in full, staff find a note on it in
Oscar's order dashboard saying the club took back what it gave. It runs
after every step of the add-on's apps (order 100), is idempotent (one note
per event key) and never needs to guard itself: ``dispatch`` logs a failing
step and goes on. See docs/extending.md, "Your own order step".
"""

from __future__ import annotations

from oscar.core.loading import get_model

from oscar_loyalty import order_events
from oscar_loyalty.order_events import OrderCancelled, OrderRefunded

NOTE = "Club: what this order earned and spent was taken back ({key})."


def note_the_reversal(event: OrderCancelled | OrderRefunded) -> None:
    if isinstance(event, OrderRefunded) and not event.in_full:
        return
    OrderNote = get_model("order", "OrderNote")
    OrderNote.objects.get_or_create(
        order=event.order,
        note_type=OrderNote.SYSTEM,
        message=NOTE.format(key=event.key),
    )


def register() -> None:
    for event in (OrderCancelled, OrderRefunded):
        order_events.register(event, note_the_reversal, order=100)
