"""Spending points at checkout: reserve on the basket, capture with the order.

Reserved points count against the available balance, checked with the
account row locked, so two tabs or two baskets cannot spend the same
points. The discount itself is an Oscar offer (see ``benefits``); its
``apply_deferred`` calls ``capture_for_order`` inside Oscar's order
transaction. A reservation not captured in time expires by itself.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oscar_loyalty import app_settings
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.club import UNKNOWN, redemption_from_context
from oscar_loyalty.exceptions import (
    InsufficientPoints,
    InvalidPointsAmount,
    RedemptionNotAllowed,
)
from oscar_loyalty.money import CENT, ZERO, money_to_points, points_to_money

from . import services
from .models import PointsAccount, PointsEntry, PointsRedemption

logger = logging.getLogger(__name__)

DISCOUNT_BENEFIT_PATH = "oscar_loyalty.apps.points.benefits.PointsDiscountBenefit"


def _now(now):
    return now or timezone.now()


def redemption_for(basket) -> PointsRedemption | None:
    """The basket's redemption row, read once per basket object."""
    if not getattr(basket, "id", None) or not basket.owner_id:
        return None
    if not hasattr(basket, "_loyalty_redemption"):
        # A request's basket knows its owner's open reservation already (oscar_loyalty.club).
        known = redemption_from_context(basket)
        basket._loyalty_redemption = (
            PointsRedemption.objects.filter(basket_id=basket.id).first()
            if known is UNKNOWN
            else known
        )
    return basket._loyalty_redemption


def points_discount(basket) -> Decimal:
    """The points discount currently applied to the basket."""
    total = ZERO
    for application in basket.offer_applications:
        if application["offer"].benefit.proxy_class == DISCOUNT_BENEFIT_PATH:
            total += application["discount"]
    return total


def basket_base(basket) -> Decimal:
    """What the products cost after other discounts: what points may pay for."""
    total = ZERO
    for line in basket.all_lines():
        price = line.unit_effective_price
        if price:
            total += price * line.quantity - line.discount_value
    return max(total + points_discount(basket), ZERO)


def max_discount(basket) -> Decimal:
    share = min(max(app_settings.POINTS_REDEEM_MAX_SHARE, ZERO), Decimal("1"))
    return (basket_base(basket) * share).quantize(CENT, rounding=ROUND_DOWN)


def max_points_for_basket(basket) -> int:
    """Most points the basket can take (the available balance aside)."""
    return money_to_points(max_discount(basket))


def _reserved_elsewhere(account, basket, now: datetime) -> int:
    return (
        PointsRedemption.objects.filter(
            account=account, status=PointsRedemption.RESERVED, expires_at__gt=now
        )
        .exclude(basket_id=basket.id)
        .aggregate(total=Sum("points"))["total"]
        or 0
    )


def reserve_points(
    basket, user, points: int | None, *, now: datetime | None = None
) -> PointsRedemption:
    """Apply ``points`` (``None``: the most allowed) to ``user``'s basket, reserving them.

    Every check that depends on the balance runs with the account locked.
    Raises a ``PointsError`` with a message for the shopper; then nothing
    has changed.
    """
    now = _now(now)
    if user is None or not user.is_authenticated or basket.owner_id != user.pk:
        raise RedemptionNotAllowed(_("You can only spend points on your own basket."))
    if not basket.can_be_edited:
        raise RedemptionNotAllowed(_("This basket can no longer be changed."))
    member = Member.objects.filter(user=user).first()
    if member is None or not member.has_benefits(now):
        raise RedemptionNotAllowed(_("Only club members can spend points."))
    if points is not None:
        services.validate_points(points)
        if points < app_settings.POINTS_REDEEM_MIN_POINTS:
            minimum = app_settings.POINTS_REDEEM_MIN_POINTS
            raise InvalidPointsAmount(
                ngettext(
                    "Apply at least %(points)s point.",
                    "Apply at least %(points)s points.",
                    minimum,
                )
                % {"points": minimum}
            )
    if basket_base(basket) < app_settings.POINTS_REDEEM_MIN_ORDER:
        raise RedemptionNotAllowed(_("Your basket is below the minimum for spending points."))
    ceiling = max_points_for_basket(basket)
    with transaction.atomic():
        account = services.lock_account(member)
        available = account.balance - _reserved_elsewhere(account, basket, now)
        if account.balance < max(app_settings.POINTS_REDEEM_MIN_BALANCE, 1):
            needed = max(app_settings.POINTS_REDEEM_MIN_BALANCE, 1)
            raise InsufficientPoints(
                ngettext(
                    "You need at least %(points)s point to spend points.",
                    "You need at least %(points)s points to spend them.",
                    needed,
                )
                % {"points": needed}
            )
        if points is None:
            points = min(available, ceiling)
            if points < app_settings.POINTS_REDEEM_MIN_POINTS:
                raise InsufficientPoints(_("You have no points available for this basket."))
        if points > available:
            free = max(available, 0)
            if available < account.balance:
                message = ngettext(
                    "You have %(points)s point available (others are held by another basket).",
                    "You have %(points)s points available (others are held by another basket).",
                    free,
                )
            else:
                message = ngettext(
                    "You have %(points)s point available.",
                    "You have %(points)s points available.",
                    free,
                )
            raise InsufficientPoints(message % {"points": free})
        if points > ceiling:
            raise RedemptionNotAllowed(
                ngettext(
                    "At most %(points)s point can be spent on this basket.",
                    "At most %(points)s points can be spent on this basket.",
                    ceiling,
                )
                % {"points": ceiling}
            )
        redemption, _created = PointsRedemption.objects.select_for_update().update_or_create(
            basket=basket,
            defaults={
                "account": account,
                "points": points,
                "status": PointsRedemption.RESERVED,
                "expires_at": now + timedelta(minutes=app_settings.POINTS_RESERVATION_MINUTES),
            },
        )
    basket._loyalty_redemption = redemption
    return redemption


def release_points(basket, user, *, now: datetime | None = None) -> bool:
    """The shopper removes their points from the basket. Returns whether any were held."""
    if user is None or basket.owner_id != getattr(user, "pk", None):
        raise RedemptionNotAllowed(_("You can only change your own basket."))
    with transaction.atomic():
        released = PointsRedemption.objects.filter(
            basket=basket, status=PointsRedemption.RESERVED
        ).update(status=PointsRedemption.RELEASED)
    if hasattr(basket, "_loyalty_redemption"):
        del basket._loyalty_redemption
    return bool(released)


def release_expired_reservations(*, now: datetime | None = None) -> int:
    """Mark reservations past their time as released (they already no longer count)."""
    return PointsRedemption.objects.filter(
        status=PointsRedemption.RESERVED, expires_at__lte=_now(now)
    ).update(status=PointsRedemption.RELEASED)


def capture_for_order(
    basket, order, discount: Decimal, *, now: datetime | None = None
) -> PointsEntry | None:
    """Debit the points behind ``discount``; runs inside Oscar's order transaction.

    Charges the points the discount is worth (rounded up, at most those
    reserved) and releases the rest. Never raises for a business reason:
    the shopper has paid. If the points are no longer there (the reservation
    was released and spent elsewhere), the shortfall becomes a debt.
    """
    now = _now(now)
    redemption = redemption_for(basket)
    if redemption is None or discount <= ZERO:
        return None
    # No savepoint: this runs inside Oscar's order transaction, and any error
    # here must roll the whole order back anyway.
    with transaction.atomic(savepoint=False):
        # The account row by its key (the redemption names it): same lock as
        # services.lock_account, without reading the member first.
        account = PointsAccount.objects.select_for_update().get(pk=redemption.account_id)
        redemption = PointsRedemption.objects.select_for_update().get(pk=redemption.pk)
        if redemption.status == PointsRedemption.CAPTURED:
            return redemption.captured_entry
        points = min(money_to_points(discount, rounding=ROUND_UP), redemption.points)
        if points_to_money(redemption.points) < discount:
            logger.error(
                "Points discount %s on order %s is worth more than the %s points reserved.",
                discount,
                order.number,
                redemption.points,
            )
        entry = services.debit_locked(
            account,
            points,
            kind=PointsEntry.REDEEM,
            reason=f"Spent on order {order.number}",
            key=f"redeem:{order.pk}",
            now=now,
            allow_debt=True,
            order=order,
        )
        if entry.debt:
            logger.warning(
                "Order %s spent %s points the member no longer had; recorded as debt.",
                order.number,
                entry.debt,
            )
        redemption.status = PointsRedemption.CAPTURED
        redemption.order = order
        redemption.captured_points = points
        redemption.captured_entry = entry
        redemption.save()
    basket._loyalty_redemption = redemption
    return entry
