"""A basket reward's hold: captured by the order, or released when its line leaves.

Releasing gives the points back through ``returns.return_points`` (once).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points import services as points_services

from .models import RewardRedemption
from .redeem import forget_basket_cache
from .returns import return_points

logger = logging.getLogger(__name__)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# Capture and release -----------------------------------------------------------


def reserved_for(basket) -> list[RewardRedemption]:
    """The basket's held rewards, oldest first, read once per basket object."""
    if not getattr(basket, "id", None) or not basket.owner_id:
        return []
    if not hasattr(basket, "_loyalty_rewards"):
        basket._loyalty_rewards = list(
            RewardRedemption.objects.filter(basket_id=basket.id, status=RewardRedemption.RESERVED)
            .select_related("reward")
            .order_by("pk")
        )
    return basket._loyalty_rewards


def capture_for_order(basket, order, redemption_ids, *, now: datetime | None = None) -> int:
    """Tie the basket's applied rewards to ``order``: one ``UPDATE``, in Oscar's order transaction.

    Conditional on "still reserved": a reward released after the basket's
    discount was worked out is not captured (and its lapse is logged, not
    charged twice). Never raises: the shopper has paid.
    """
    now = _now(now)
    captured = RewardRedemption.objects.filter(
        pk__in=redemption_ids, status=RewardRedemption.RESERVED
    ).update(status=RewardRedemption.CAPTURED, order=order, updated_at=now)
    if captured != len(redemption_ids):
        logger.error(
            "Order %s got the discount of %s reward(s) released before it was placed.",
            order.number,
            len(redemption_ids) - captured,
        )
    forget_basket_cache(basket)
    return captured


def release_from_basket(redemption: RewardRedemption, *, reason: str, now=None) -> bool:
    """Release a basket reward still reserved: its points back, its unit back; once.

    Locks the basket (after the account, as ``redeem`` does) and refuses to
    release while the basket is frozen for payment: the order may be being
    placed with the discount, and capturing beats releasing.
    """
    now = _now(now)
    with transaction.atomic():
        member = Member.objects.get(pk=redemption.member_id)
        points_services.lock_account(member)
        if redemption.basket_id is not None:
            Basket = get_model("basket", "Basket")
            status = (
                Basket._default_manager.select_for_update(no_key=True)
                .filter(pk=redemption.basket_id)
                .values_list("status", flat=True)
                .first()
            )
            if status is not None and status not in Basket.editable_statuses:
                return False
        still = RewardRedemption.objects.filter(
            pk=redemption.pk, status=RewardRedemption.RESERVED
        ).exists()
        if not still:
            return False
        return return_points(redemption, reason=reason, now=now)


def sync_basket(basket_id: int, *, now: datetime | None = None) -> int:
    """Release the rewards whose product left the basket (fewer units than rewards held)."""
    Line = get_model("basket", "Line")
    reserved = list(
        RewardRedemption.objects.filter(basket_id=basket_id, status=RewardRedemption.RESERVED)
        .select_related("reward")
        .order_by("-pk")
    )
    if not reserved:
        return 0
    quantities = dict(
        Line._default_manager.filter(basket_id=basket_id)
        .values_list("product")
        .annotate(total=Sum("quantity"))
    )
    released = 0
    held_by_product: dict[int, int] = {}
    for redemption in reversed(reserved):  # oldest keep their units first
        product_id = redemption.reward.product_id
        held_by_product[product_id] = held_by_product.get(product_id, 0) + 1
        if held_by_product[product_id] > quantities.get(product_id, 0):
            if release_from_basket(redemption, reason="Removed from the basket", now=now):
                released += 1
    return released


def release_lapsed(*, now: datetime | None = None) -> int:
    """Release basket rewards past their hold, or whose basket or line is gone (daily net)."""
    now = _now(now)
    released = 0
    lapsed = RewardRedemption.objects.filter(status=RewardRedemption.RESERVED).filter(
        Q(expires_at__lte=now) | Q(basket__isnull=True)
    )
    for redemption in lapsed.order_by("pk").iterator():
        if release_from_basket(redemption, reason="Reward hold lapsed", now=now):
            released += 1
    basket_ids = set(
        RewardRedemption.objects.filter(status=RewardRedemption.RESERVED).values_list(
            "basket_id", flat=True
        )
    )
    for basket_id in sorted(b for b in basket_ids if b is not None):
        released += sync_basket(basket_id, now=now)
    return released
