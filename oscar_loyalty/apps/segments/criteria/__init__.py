"""The built-in criteria: each a params form and a function returning a ``Q`` on ``Member``.

Purchase criteria read Oscar's orders by ``user_id`` (a member's orders are
its user's orders) and read only the orders that count
(``oscar_loyalty.order_events.counted_orders``: not cancelled, not refunded in
full) and have a user. Spend is the order total including tax and
shipping: what the customer paid. Aggregates are ``IN (SELECT user_id ...
GROUP BY user_id HAVING ...)`` so the database aggregates the period's orders
once, never once per member. See docs/segments.md for the query plans.
"""

# Imported for their ``register`` calls, in the order the editor lists them
# (purchases, profile, club), hence not sorted.
from . import purchases  # noqa: F401, I001
from . import profile  # noqa: F401, I001
from . import club  # noqa: F401, I001
