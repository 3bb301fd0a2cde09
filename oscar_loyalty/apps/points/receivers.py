"""Thin adapters from Oscar's and the club's signals to points services.

Everything here runs after the customer has paid or while staff change an
order, so a receiver never raises: it logs. Earning is idempotent per order
and reversals per key, so replaying a signal changes nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from oscar.apps.order.signals import (
    order_line_status_changed,
    order_status_changed,
)
from oscar.core.loading import get_model

from oscar_loyalty import app_settings, orders, signals
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.exceptions import AlreadyReversed
from oscar_loyalty.receiving import never_raises

from . import bonuses, earning, redemption, reversal

logger = logging.getLogger(__name__)


@never_raises
def on_order_placed(sender, order, user=None, **kwargs) -> None:
    """The order's points work (in the order task): the debit of points spent, then earning."""
    try:
        redemption.settle_for_order(order)
    except Exception:  # noqa: BLE001 - the order is paid; the daily job retries the debit.
        logger.exception("Writing the points spent on order %s failed", order.number)
    try:
        earning.record_earning_for_order(order)
    except Exception:  # noqa: BLE001 - the order is paid; never break the checkout.
        logger.exception("Recording points failed for order %s", order.number)


@never_raises
def on_order_status_changed(sender, order, old_status, new_status, **kwargs) -> None:
    try:
        if new_status in app_settings.CANCELLED_ORDER_STATUSES:
            reversal.reverse_order(
                order, key=f"order:{order.pk}:cancelled", reason=f"Order {new_status.lower()}"
            )
        elif new_status in app_settings.POINTS_MATURE_STATUSES:
            earning.mature_order(order)
    except AlreadyReversed:
        logger.info("Points of order %s were already reversed.", order.number)
    except Exception:  # noqa: BLE001 - staff changed a status; log, never block it.
        logger.exception("Points update failed for order %s", order.number)


@never_raises
def on_line_status_changed(sender, line, old_status, new_status, **kwargs) -> None:
    if new_status not in app_settings.CANCELLED_ORDER_STATUSES:
        return
    try:
        reversal.reverse_lines(
            line.order,
            {line: line.quantity},
            key=f"line:{line.pk}:cancelled",
            reason=f"Item {new_status.lower()}",
        )
    except AlreadyReversed:
        logger.info("Points of order line %s were already reversed.", line.pk)
    except Exception:  # noqa: BLE001
        logger.exception("Points reversal failed for order line %s", line.pk)


@never_raises
def on_payment_event_saved(sender, instance, created, **kwargs) -> None:
    """A refund of the whole order reverses it all at once.

    Oscar adds a refund's line quantities after saving the event, so partial
    refunds are handled per line by ``on_payment_event_line_saved``.
    """
    if not created or instance.event_type.name not in app_settings.REFUND_EVENT_TYPES:
        return
    order = instance.order
    if instance.amount < order.total_incl_tax:
        return
    try:
        reversal.reverse_order(
            order, key=f"refund:{instance.pk}", reason=f"Refund {instance.reference or ''}".strip()
        )
    except AlreadyReversed:
        logger.info("Refund %s was already reversed.", instance.pk)
    except Exception:  # noqa: BLE001
        logger.exception("Points reversal failed for refund %s", instance.pk)


@never_raises
def on_payment_event_line_saved(sender, instance, created, **kwargs) -> None:
    event = instance.event
    if not created or event.event_type.name not in app_settings.REFUND_EVENT_TYPES:
        return
    try:
        reversal.reverse_lines(
            event.order,
            {instance.line: instance.quantity},
            key=f"refund:{event.pk}:line:{instance.line_id}",
            reason="Refund",
        )
    except AlreadyReversed:
        logger.info("Refund %s line %s was already reversed.", event.pk, instance.line_id)
    except Exception:  # noqa: BLE001
        logger.exception("Points reversal failed for refund %s", event.pk)


@never_raises
def on_member_joined(sender, member, source=None, **kwargs) -> None:
    try:
        bonuses.award_bonus(member, kind="join")
    except Exception:  # noqa: BLE001 - joining must not fail over a bonus.
        logger.exception("Join bonus failed for member %s", member.pk)


@never_raises
def on_member_saved(sender, instance, created=False, **kwargs) -> None:
    """The "completed profile" bonus, after the profile change has committed."""
    if not bonuses.is_profile_complete(instance):
        return

    def award():
        try:
            bonuses.award_profile_bonus(instance)
        except Exception:  # noqa: BLE001 - saving a profile must not fail over a bonus.
            logger.exception("Profile bonus failed for member %s", instance.pk)

    transaction.on_commit(award)


def connect() -> None:
    PaymentEvent = get_model("order", "PaymentEvent")
    PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
    # on_order_placed runs in the task oscar_loyalty.orders.process_placed_order;
    # the shared receiver enqueuing it is connected once whichever app connects first.
    orders.connect()
    order_status_changed.connect(
        on_order_status_changed, dispatch_uid="loyalty_points.order_status_changed"
    )
    order_line_status_changed.connect(
        on_line_status_changed, dispatch_uid="loyalty_points.line_status_changed"
    )
    post_save.connect(
        on_payment_event_saved, sender=PaymentEvent, dispatch_uid="loyalty_points.payment_event"
    )
    post_save.connect(
        on_payment_event_line_saved,
        sender=PaymentEventQuantity,
        dispatch_uid="loyalty_points.payment_event_line",
    )
    signals.member_joined.connect(on_member_joined, dispatch_uid="loyalty_points.member_joined")
    post_save.connect(
        on_member_saved, sender=Member, dispatch_uid="loyalty_points.member_profile_bonus"
    )
