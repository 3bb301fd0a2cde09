"""Thin adapters from the club's signals to points services (the bonuses), and Oscar's checkout.

Joining or saving a profile must never fail over a bonus, so a receiver
never raises: it logs. Order events reach the app through ``order_steps``;
Oscar's ``post_checkout`` only hands the thank-you page its figures
(``receipt``), reading nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from oscar.apps.checkout.signals import post_checkout
from oscar.core.loading import get_model

from oscar_loyalty import signals, site_offers
from oscar_loyalty.apps.membership.models import Member, Tier
from oscar_loyalty.receiving import never_raises

from . import benefits, bonuses, hints, receipt
from .models import PointsPromotion

logger = logging.getLogger(__name__)


@never_raises
def on_post_checkout(sender, order, request=None, **kwargs) -> None:
    """Hand the thank-you page its points figures in the session (``receipt``): no queries."""
    if request is not None:
        receipt.remember(request, order)


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
    pre_save.connect(
        benefits.keep_stored_name,
        sender=get_model("offer", "ConditionalOffer"),
        dispatch_uid="loyalty_points.offer_stored_name",
    )
    # Orders are not read here: the app's steps for the club's order events
    # are registered by ``order_steps``.
    # The discount row's name from memory (shared with the other offer app).
    site_offers.connect_order_discount_name()
    post_checkout.connect(on_post_checkout, dispatch_uid="loyalty_points.post_checkout")
    signals.member_joined.connect(on_member_joined, dispatch_uid="loyalty_points.member_joined")
    post_save.connect(
        on_member_saved, sender=Member, dispatch_uid="loyalty_points.member_profile_bonus"
    )
    # The guests' "members earn N" hint keeps the joining tier and promotion.
    for model in (Tier, PointsPromotion):
        for signal in (post_save, post_delete):
            signal.connect(
                hints.forget_joining_member,
                sender=model,
                dispatch_uid=f"loyalty_points.hints.{model.__name__}.{signal is post_save}",
            )
