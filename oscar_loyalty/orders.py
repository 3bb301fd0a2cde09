"""After an order is placed: the club's follow-up work, as one background task.

``order_placed`` fires once Oscar's order transaction has committed, on every
path (web checkout, API, PayPal, scripts). The membership, points, referral
and journey apps each have work to do then, none of which the customer waits
for: the checkout request only enqueues one task, a single row with the
database task backend, written in Oscar's order transaction so that it commits
with the order (``enqueue_in_transaction``), and the worker dispatches the club event
``OrderPlaced`` (``oscar_loyalty.order_events``): every app's registered step
runs in its order (the tier before the points are quoted, the debit of the
points spent before the earning, the journey's channel last). Every step is
idempotent, so a task run twice changes nothing; each step's failure is
logged and never stops the next.
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, router
from django_tasks import task
from oscar.core.loading import get_model

from oscar_loyalty.order_events import dispatch, placed

logger = logging.getLogger(__name__)


@task()
def process_placed_order(order_id: int) -> None:
    """Dispatch the club event of one placed order (see the module docstring)."""
    Order = get_model("order", "Order")
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        logger.warning("Placed order %s no longer exists.", order_id)
        return
    dispatch(placed(order))


def _queue_is_in_database_of(order) -> bool:
    """Whether the task queue is django-tasks' database backend on the order's own database."""
    try:
        from django_tasks_db import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return False
    backend = process_placed_order.get_backend()
    return isinstance(backend, DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == (order._state.db or DEFAULT_DB_ALIAS)
    )


def enqueue_in_transaction(order) -> bool:
    """Enqueue the order's task inside the caller's transaction, if the queue allows it.

    Called from the new order's ``post_save`` (``order_events.receivers``), inside
    Oscar's order transaction. With the database task backend on the same database the task row
    then commits with the order, in one commit instead of two, and can never be
    lost (a transactional outbox). Any other backend would run or publish the
    task before the order exists: then ``order_placed`` enqueues it, as for
    every other order. Returns whether the task was enqueued here.
    """
    if was_enqueued(order):
        return True
    if not _queue_is_in_database_of(order):
        return False
    process_placed_order.enqueue(order.pk)
    order._loyalty_enqueued = True
    return True


def was_enqueued(order) -> bool:
    """Whether ``enqueue_in_transaction`` enqueued this order's task already."""
    return getattr(order, "_loyalty_enqueued", False)
