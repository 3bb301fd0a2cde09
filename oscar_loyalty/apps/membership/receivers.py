"""Thin adapters from Oscar's signals to membership services.

They run after the customer has paid, so they must never raise: an error
is logged, and the daily command's reconciliation activates any membership
a failed receiver missed (activation is idempotent per order line).
"""

from __future__ import annotations

import logging

from django.db.models.signals import post_save
from oscar.apps.customer.signals import user_registered
from oscar.apps.order.signals import order_status_changed
from oscar.core.loading import get_model

from oscar_loyalty import app_settings, orders
from oscar_loyalty.exceptions import LoyaltyError
from oscar_loyalty.receiving import never_raises

from . import services
from .models import Member, TierChange

logger = logging.getLogger(__name__)


@never_raises
def on_order_placed(sender, order, user=None, **kwargs) -> None:
    try:
        services.activate_memberships_for_order(order)
        member = Member.objects.filter(user_id=order.user_id).first() if order.user_id else None
        if member is not None:
            services.recompute_tier(member, reason=TierChange.REASON_ORDER)
    except Exception:  # noqa: BLE001 - the order is paid; never break the checkout.
        logger.exception("Membership update failed for order %s", order.number)


@never_raises
def on_order_status_changed(sender, order, old_status, new_status, **kwargs) -> None:
    if new_status not in app_settings.CANCELLED_ORDER_STATUSES:
        return
    try:
        services.reverse_memberships_for_order(order)
        member = Member.objects.filter(user_id=order.user_id).first() if order.user_id else None
        if member is not None:
            services.recompute_tier(member, reason=TierChange.REASON_ORDER)
    except Exception:  # noqa: BLE001 - staff changed a status; log, never block it.
        logger.exception("Membership reversal failed for order %s", order.number)


@never_raises
def on_payment_event_saved(sender, instance, created, **kwargs) -> None:
    if not created or instance.event_type.name not in app_settings.REFUND_EVENT_TYPES:
        return
    try:
        services.reverse_memberships_for_order(instance.order)
    except Exception:  # noqa: BLE001
        logger.exception("Membership reversal failed for order %s", instance.order.number)


@never_raises
def on_user_registered(sender, request, user, **kwargs) -> None:
    """Join the club if the registration form's "join" box was ticked.

    ``ClubRegistrationForm`` leaves the member's choices on the user object;
    stores that keep Oscar's plain form never set it, and nothing happens.
    """
    choices = getattr(user, "loyalty_registration", None)
    if not choices or not choices.get("join"):
        return
    try:
        services.join_club(
            user,
            consent_channels=choices.get("consent_channels", ()),
            source="registration",
            request=request,
            language=getattr(request, "LANGUAGE_CODE", "") or "",
        )
    except LoyaltyError as error:
        logger.warning("Could not join %s at registration: %s", user.pk, error)


def connect() -> None:
    PaymentEvent = get_model("order", "PaymentEvent")
    # on_order_placed runs in the task oscar_loyalty.orders.process_placed_order;
    # the shared receiver enqueuing it is connected once whichever app connects first.
    orders.connect()
    order_status_changed.connect(
        on_order_status_changed, dispatch_uid="loyalty_membership.order_status_changed"
    )
    post_save.connect(
        on_payment_event_saved,
        sender=PaymentEvent,
        dispatch_uid="loyalty_membership.payment_event",
    )
    user_registered.connect(on_user_registered, dispatch_uid="loyalty_membership.registered")
