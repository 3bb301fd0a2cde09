"""After an order is placed: the club's follow-up work, as one background task.

``order_placed`` fires once Oscar's order transaction has committed, on every
path (web checkout, API, PayPal, scripts). The membership, points and
referral apps each have work to do then (activate a bought membership,
recompute the tier, record the points the order earns, qualify a referral),
none of which the customer waits for: the checkout request only enqueues
one task, a single row with the database task backend, and the worker does
the rest. Every step is idempotent, so a task run twice changes nothing; each
step logs its own failure and never stops the next.

The order of the steps is the order the receivers used to run in: the tier
is recomputed before the points are quoted, so a member who moved up earns
at the new tier's rate. The points step first writes the ledger debit of the
points the order spent (captured inside the order transaction, see
``points.redemption``). The journey step records the order's channel (web,
unless the code that placed the order recorded another).
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, router
from django_tasks import task
from oscar.core.loading import get_model

from oscar_loyalty.receiving import never_raises

logger = logging.getLogger(__name__)


@task()
def process_placed_order(order_id: int) -> None:
    """Run the club's ``order_placed`` work for one order (see the module docstring)."""
    Order = get_model("order", "Order")
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        logger.warning("Placed order %s no longer exists.", order_id)
        return
    if apps.is_installed("oscar_loyalty.apps.membership"):
        from oscar_loyalty.apps.membership import receivers as membership

        membership.on_order_placed(sender=Order, order=order)
    if apps.is_installed("oscar_loyalty.apps.points"):
        from oscar_loyalty.apps.points import receivers as points

        points.on_order_placed(sender=Order, order=order)
    if apps.is_installed("oscar_loyalty.apps.referrals"):
        from oscar_loyalty.apps.referrals import receivers as referrals

        referrals.on_order_placed(sender=Order, order=order)
    if apps.is_installed("oscar_loyalty.apps.journey"):
        from oscar_loyalty.apps.journey import services as journey

        try:
            journey.record_default_channel(order)
        except Exception:  # noqa: BLE001 - a report detail; never stop the task.
            logger.exception("Recording the channel of order %s failed", order.number)


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

    Called while the add-on already writes in Oscar's order transaction (points
    spent). With the database task backend on the same database the task row
    then commits with the order, in one commit instead of two, and can never be
    lost (a transactional outbox). Any other backend would run or publish the
    task before the order exists: then ``order_placed`` enqueues it, as for
    every other order. Returns whether the task was enqueued here.
    """
    if getattr(order, "_loyalty_enqueued", False):
        return True
    if not _queue_is_in_database_of(order):
        return False
    process_placed_order.enqueue(order.pk)
    order._loyalty_enqueued = True
    return True


@never_raises
def on_order_placed(sender, order, user=None, **kwargs) -> None:
    """Enqueue the follow-up work; never raise (the customer has paid)."""
    if getattr(order, "_loyalty_enqueued", False):
        return  # already enqueued inside the order transaction
    try:
        process_placed_order.enqueue(order.pk)
    except Exception:  # noqa: BLE001 - the order is paid; never break the checkout.
        logger.exception("Could not enqueue the club's work for order %s", order.number)


def connect() -> None:
    from oscar.apps.order.signals import order_placed

    order_placed.connect(on_order_placed, dispatch_uid="oscar_loyalty.order_placed")
