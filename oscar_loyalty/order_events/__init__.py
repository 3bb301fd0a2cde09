"""The club's order events: Oscar's order facts, translated once.

* ``counted``: ``counted_orders()``, the orders that count (not cancelled,
  not refunded in full), and ``order_counts(path)``, the same as a ``Q``.
"""

from .counted import counted_orders, order_counts

__all__ = ["counted_orders", "order_counts"]
