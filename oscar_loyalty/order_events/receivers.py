"""The boundary's only listeners to Oscar: each translates one signal and dispatches it.

They run inside somebody else's work (the checkout, staff changing a status,
a gateway's refund callback), so each wears ``never_raises``; the steps are
isolated by ``steps.dispatch`` as well. A new order's task
(``oscar_loyalty.orders``, which dispatches ``OrderPlaced``) is written inside
Oscar's order transaction when the queue allows it, else on ``order_placed``.
Connected once, by the first step an app registers.
"""

from __future__ import annotations

import logging

from oscar_loyalty.receiving import never_raises

from . import events
from .steps import dispatch

logger = logging.getLogger(__name__)


@never_raises
def on_order_placed(sender, order, user=None, **kwargs) -> None:
    """Enqueue the follow-up work; never raise (the customer has paid)."""
    from oscar_loyalty import orders

    if orders.was_enqueued(order):
        return  # already enqueued inside the order transaction
    try:
        orders.process_placed_order.enqueue(order.pk)
    except Exception:  # noqa: BLE001 - the order is paid; never break the checkout.
        logger.exception("Could not enqueue the club's work for order %s", order.number)


@never_raises
def on_order_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    """A new order, inside Oscar's order transaction: write its task row into it.

    Oscar sends ``order_placed`` only after that transaction committed, so a
    task enqueued there is a second commit (a disk flush on PostgreSQL, the
    largest part of what the add-on added to the place-order request) and is
    lost if the process dies between the two. Written here, the row commits
    with the order or not at all. Only inside a transaction: an order saved in
    autocommit (a script building orders row by row) would hand the worker an
    order without its lines, so it keeps the ``order_placed`` path. No
    savepoint: like the spender's capture beside it, the insert cannot fail
    on its own, and Oscar's place-order budget has no room for two more queries.
    """
    if not created or raw:
        return
    from django.db import DEFAULT_DB_ALIAS, connections

    from oscar_loyalty import orders

    if connections[instance._state.db or DEFAULT_DB_ALIAS].in_atomic_block:
        orders.enqueue_in_transaction(instance)


@never_raises
def on_order_status_changed(sender, order, old_status, new_status, **kwargs) -> None:
    dispatch(events.status_changed(order, old_status, new_status))


@never_raises
def on_line_status_changed(sender, line, old_status, new_status, **kwargs) -> None:
    event = events.line_status_changed(line, new_status)
    if event is not None:
        dispatch(event)


@never_raises
def on_payment_event_saved(sender, instance, created, **kwargs) -> None:
    """A refund of the order (its lines, if any, follow: ``on_payment_event_quantity_saved``)."""
    if not created:
        return
    event = events.refunded(instance)
    if event is not None:
        dispatch(event)


@never_raises
def on_payment_event_quantity_saved(sender, instance, created, **kwargs) -> None:
    """Oscar saves a refund's line quantities after the event itself, one row per line."""
    if not created:
        return
    event = events.line_refunded(instance)
    if event is not None:
        dispatch(event)


def connect() -> None:
    """Listen to Oscar's order signals (idempotent: each has a ``dispatch_uid``)."""
    from django.db.models.signals import post_save
    from oscar.apps.order.signals import (
        order_line_status_changed,
        order_placed,
        order_status_changed,
    )
    from oscar.core.loading import get_model

    uid = "oscar_loyalty.order_events"
    post_save.connect(
        on_order_saved, sender=get_model("order", "Order"), dispatch_uid=f"{uid}.order_saved"
    )
    order_placed.connect(on_order_placed, dispatch_uid=f"{uid}.order_placed")
    order_status_changed.connect(on_order_status_changed, dispatch_uid=f"{uid}.order_status")
    order_line_status_changed.connect(on_line_status_changed, dispatch_uid=f"{uid}.line_status")
    post_save.connect(
        on_payment_event_saved,
        sender=get_model("order", "PaymentEvent"),
        dispatch_uid=f"{uid}.payment_event",
    )
    post_save.connect(
        on_payment_event_quantity_saved,
        sender=get_model("order", "PaymentEventQuantity"),
        dispatch_uid=f"{uid}.payment_event_quantity",
    )
