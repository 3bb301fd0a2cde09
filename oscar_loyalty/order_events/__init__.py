"""Oscar's order events, translated once into the club's own, and the steps apps register.

* ``events``: the frozen event values (``OrderPlaced``, ``InStorePurchase``,
  ``OrderStatusChanged``, ``OrderCancelled``, ``LineCancelled``,
  ``OrderRefunded``, ``LineRefunded``) and the translation from Oscar's rows;
* ``receivers``: the only listeners to Oscar's order signals;
* ``steps``: ``register(event, fn, order=)`` and ``dispatch(event)``;
* ``replay``: the same events told again from the database, for the daily catch-up;
* ``counted``: ``counted_orders()``, the orders that count (not cancelled,
  not refunded in full), and ``order_counts(path)``, the same as a ``Q``.

The core imports no app; every app registers its own steps. See docs/extending.md.
"""

from .counted import counted_orders, order_counts
from .events import (
    EVENTS,
    INSTORE_SHIPPING_CODE,
    InStorePurchase,
    LineCancelled,
    LineRefunded,
    OrderCancelled,
    OrderEvent,
    OrderPlaced,
    OrderRefunded,
    OrderStatusChanged,
    placed,
)
from .steps import dispatch, register, registered, steps, unregister

__all__ = [
    "EVENTS",
    "INSTORE_SHIPPING_CODE",
    "InStorePurchase",
    "LineCancelled",
    "LineRefunded",
    "OrderCancelled",
    "OrderEvent",
    "OrderPlaced",
    "OrderRefunded",
    "OrderStatusChanged",
    "counted_orders",
    "dispatch",
    "order_counts",
    "placed",
    "register",
    "registered",
    "steps",
    "unregister",
]
