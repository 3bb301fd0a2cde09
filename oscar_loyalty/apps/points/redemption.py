"""Spending points at checkout: reserve on the basket, capture with the order, settle.

Reserved points count against the available balance, checked with the
account row locked, so two tabs or two baskets cannot spend the same
points. The discount itself is an Oscar offer (see ``benefits``); its
``apply_deferred`` calls ``capture_for_order`` inside Oscar's order
transaction, which marks the reservation captured with one conditional
``UPDATE``. The ledger debit follows in the order's background task
(``settle_for_order``); until then the captured points stay held (see
``PointsRedemption``). A reservation not captured in time expires by itself.
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

from oscar_loyalty import app_settings, signals
from oscar_loyalty.apps.membership.baskets import lock_editable_basket
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.exceptions import (
    InsufficientPoints,
    InvalidPointsAmount,
    RedemptionNotAllowed,
)
from oscar_loyalty.lines import priced_lines
from oscar_loyalty.money import CENT, ZERO, money_to_points, points_to_money

from . import services
from .club_context import UNKNOWN, redemption_from_context
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
    for line in priced_lines(basket):
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
        PointsRedemption.objects.filter(PointsRedemption.held_q(now), account=account)
        .exclude(basket_id=basket.id)
        .aggregate(total=Sum(PointsRedemption.held_points()))["total"]
        or 0
    )


def _lock_editable_basket(basket) -> None:
    if not lock_editable_basket(basket):
        raise RedemptionNotAllowed(_("This basket can no longer be changed."))


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
        # Lock order: account, basket, redemption (settle takes account, then
        # redemption). Whatever the caller's basket object says is only what
        # its request read earlier: another tab may have placed the order since.
        account = services.lock_account(member)
        _lock_editable_basket(basket)
        current = PointsRedemption.objects.select_for_update().filter(basket_id=basket.id).first()
        if current is not None and (
            current.status == PointsRedemption.CAPTURED or current.order_id is not None
        ):
            raise RedemptionNotAllowed(_("These points were already spent on an order."))
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
        # Every check passed: the site offer that turns the reservation into a
        # discount must exist (made on first use, in this transaction, so a
        # refused request leaves nothing behind; imported here: benefits
        # imports this module).
        from .benefits import ensure_points_offer

        ensure_points_offer()
        expires_at = now + timedelta(minutes=app_settings.POINTS_RESERVATION_MINUTES)
        if current is None:
            redemption = PointsRedemption.objects.create(
                basket_id=basket.id,
                account=account,
                points=points,
                status=PointsRedemption.RESERVED,
                expires_at=expires_at,
            )
        else:
            # Conditional on "never captured" as well as the lock above: the
            # database's check constraint refuses the rest.
            PointsRedemption.objects.filter(pk=current.pk, order__isnull=True).update(
                account=account,
                points=points,
                status=PointsRedemption.RESERVED,
                expires_at=expires_at,
                updated_at=now,
            )
            redemption = PointsRedemption.objects.get(pk=current.pk)
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
) -> PointsRedemption | None:
    """Mark the basket's reservation captured by ``order``: one ``UPDATE``, in Oscar's transaction.

    Charges the points the discount is worth (rounded up, at most those
    reserved). Never raises for a business reason: the shopper has paid.
    The ledger debit is ``settle_for_order``'s, after the order commits; if
    the points are no longer there by then (the reservation had lapsed and
    they were spent elsewhere), the shortfall becomes a debt.
    """
    now = _now(now)
    redemption = redemption_for(basket)
    if redemption is None or discount <= ZERO:
        return None
    points = min(money_to_points(discount, rounding=ROUND_UP), redemption.points)
    if points_to_money(redemption.points) < discount:
        logger.error(
            "Points discount %s on order %s is worth more than the %s points reserved.",
            discount,
            order.number,
            redemption.points,
        )
    # Conditional on "not captured yet", so a replayed placement cannot tie
    # the points to a second order. A reservation released or lapsed after
    # the discount was worked out is still charged: the order got the money off.
    captured = PointsRedemption.objects.filter(pk=redemption.pk, order__isnull=True).update(
        status=PointsRedemption.CAPTURED, order=order, captured_points=points, updated_at=now
    )
    if not captured:
        logger.error(
            "Points reservation %s was already captured; order %s got its discount twice.",
            redemption.pk,
            order.number,
        )
        return None
    redemption.status, redemption.order, redemption.captured_points = (
        PointsRedemption.CAPTURED,
        order,
        points,
    )
    basket._loyalty_redemption = redemption
    return redemption


def settle(redemption: PointsRedemption, *, now: datetime | None = None) -> PointsEntry | None:
    """Write the ledger debit of a captured redemption, once (``None``: nothing captured).

    Idempotent: the redemption row is locked and re-read, and a settled one
    returns its entry.
    """
    now = _now(now)
    if redemption.status != PointsRedemption.CAPTURED:
        return None
    with transaction.atomic():
        # Lock order: account, then redemption, as in reserve_points.
        account = PointsAccount.objects.select_for_update().get(pk=redemption.account_id)
        # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins.
        redemption = (
            PointsRedemption.objects.select_for_update(of=("self",))
            .select_related("order", "captured_entry")
            .get(pk=redemption.pk)
        )
        if redemption.captured_entry_id is not None:
            return redemption.captured_entry
        order = redemption.order
        entry = services.debit_locked(
            account,
            redemption.captured_points,
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
        PointsRedemption.objects.filter(pk=redemption.pk).update(
            captured_entry=entry, updated_at=now
        )
        if signals.listened(signals.points_spent):
            signals.send_on_commit(
                signals.points_spent,
                sender=PointsRedemption,
                member=account.member,
                redemption=redemption,
                entry=entry,
                order=order,
            )
    return entry


def settle_for_order(order, *, now: datetime | None = None) -> PointsEntry | None:
    """The ledger debit for the points ``order`` spent (see ``settle``)."""
    redemption = PointsRedemption.objects.filter(
        order=order, status=PointsRedemption.CAPTURED
    ).first()
    return settle(redemption, now=now) if redemption is not None else None


def settle_captured_redemptions(*, now: datetime | None = None) -> int:
    """Settle every captured redemption still missing its ledger entry (the daily job's net).

    Normally the order's task settles within seconds; this catches a task
    that was lost (a worker's queue wiped, an enqueue that failed).
    """
    settled = 0
    pending = PointsRedemption.objects.filter(
        status=PointsRedemption.CAPTURED, captured_entry__isnull=True
    ).order_by("pk")
    for redemption in pending.iterator():
        if settle(redemption, now=now) is not None:
            settled += 1
    return settled
