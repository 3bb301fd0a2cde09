"""Earning: record what an order earns as pending, then mature it into the balance."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from oscar_loyalty import app_settings, signals
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.notices import send_member_notice

from . import services
from .models import PointsEarning, PointsEarningLine, PointsEntry, PointsRedemption
from .policies import Quote, get_policy

logger = logging.getLogger(__name__)


def member_for_order(order) -> Member | None:
    if order.user_id is None:
        return None
    return Member.objects.select_related("tier").filter(user_id=order.user_id).first()


def record_earning_for_order(order, *, now: datetime | None = None) -> PointsEarning | None:
    """Record the points ``order`` earns, pending until they mature.

    Idempotent: one earning per order, so replaying ``order_placed`` changes
    nothing. Only members with benefits earn; an order earning 0 records nothing.
    With ``OSCAR_LOYALTY_POINTS_PENDING_DAYS = 0`` the points mature at once.
    """
    now = now or timezone.now()
    member = member_for_order(order)
    placed = order.date_placed or now
    if member is None or not member.has_benefits(placed):
        return None
    quote = get_policy().quote_order(order, member, now=placed)
    if quote.points <= 0:
        return None
    with transaction.atomic():
        account = services.lock_account(member)
        existing = PointsEarning.objects.filter(order=order).first()
        if existing is not None:
            return existing
        earning = PointsEarning.objects.create(
            account=account,
            order=order,
            points=quote.points,
            matures_at=placed + timedelta(days=app_settings.POINTS_PENDING_DAYS),
            created_at=now,
        )
        PointsEarningLine.objects.bulk_create(
            PointsEarningLine(
                earning=earning,
                line=quoted.line,
                quantity=quoted.quantity,
                amount=quoted.amount,
                rate=quoted.rate,
                points=quoted.points,
            )
            for quoted in quote.lines
            if quoted.points > 0
        )
        services.change_totals_locked(account, pending=quote.points)
        signals.send_on_commit(
            signals.points_earned,
            sender=PointsEarning,
            member=member,
            earning=earning,
            order=order,
        )
        if app_settings.POINTS_PENDING_DAYS <= 0:
            _mature_locked(account, earning, now=now)
    return earning


def _mature_locked(account, earning: PointsEarning, *, now: datetime) -> PointsEntry | None:
    net = earning.net_points
    services.change_totals_locked(account, pending=-net)
    PointsEarning.objects.filter(pk=earning.pk).update(
        status=PointsEarning.MATURED, matured_at=now
    )
    earning.status, earning.matured_at = PointsEarning.MATURED, now
    entry = _credit_matured_locked(account, earning, net, now=now)
    if signals.listened(signals.points_matured):
        signals.send_on_commit(
            signals.points_matured,
            sender=PointsEarning,
            member=account.member,
            earning=earning,
            entry=entry,
        )
    if signals.listened(signals.order_points_settled):
        # Queries more, only for someone listening.
        spent = (
            PointsRedemption.objects.filter(
                order_id=earning.order_id, status=PointsRedemption.CAPTURED
            )
            .values_list("captured_points", flat=True)
            .first()
        )
        signals.send_on_commit(
            signals.order_points_settled,
            sender=PointsEarning,
            order=earning.order,
            member=account.member,
            earned=max(net, 0),
            spent=spent or 0,
        )
    return entry


def _credit_matured_locked(
    account, earning: PointsEarning, net: int, *, now
) -> PointsEntry | None:
    if net <= 0:
        return None
    amount = sum((line.amount for line in earning.lines.all()), Decimal("0"))
    rate = (Decimal(earning.points) / amount).quantize(Decimal("0.0001")) if amount else None
    if app_settings.POINTS_EARNED_EMAIL:
        member = account.member
        transaction.on_commit(
            lambda: send_member_notice(
                member,
                notice_type="points_earned",
                context={"points": net, "order": earning.order},
                key=f"points_earned:{earning.order_id}",
            )
        )
    return services.credit_locked(
        account,
        net,
        kind=PointsEntry.EARN,
        reason=f"Order {earning.order.number}",
        key=f"earn:{earning.order_id}",
        now=now,
        order=earning.order,
        rate=rate,
    )


def mature_earning(earning: PointsEarning, *, now: datetime | None = None) -> PointsEntry | None:
    """Make a pending earning spendable (idempotent: a matured one is left alone)."""
    now = now or timezone.now()
    with transaction.atomic():
        account = services.lock_account(earning.account.member)
        earning = PointsEarning.objects.select_related("order").get(pk=earning.pk)
        if earning.status != PointsEarning.PENDING:
            return None
        return _mature_locked(account, earning, now=now)


def mature_order(order, *, now: datetime | None = None) -> PointsEntry | None:
    """The order reached a status in ``OSCAR_LOYALTY_POINTS_MATURE_STATUSES``."""
    earning = PointsEarning.objects.select_related("account__member").filter(order=order).first()
    return mature_earning(earning, now=now) if earning else None


def mature_due_earnings(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Daily: mature every pending earning whose return window has passed."""
    now = now or timezone.now()
    batch_size = batch_size or app_settings.POINTS_BATCH_SIZE
    matured = 0
    due = PointsEarning.objects.filter(status=PointsEarning.PENDING, matures_at__lte=now)
    ids = list(due.order_by("matures_at", "pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        for earning in PointsEarning.objects.select_related("account__member").filter(
            pk__in=ids[start : start + batch_size]
        ):
            if mature_earning(earning, now=now) is not None:
                matured += 1
    return matured


def preview_quote(basket, member, *, now: datetime | None = None) -> Quote:
    """The quote behind "you will earn N points": empty for a non-member or lapsed member."""
    if member is None or not member.has_benefits(now):
        return Quote()
    return get_policy().quote_basket(basket, member, now=now or timezone.now())


def preview_points(basket, member, *, now: datetime | None = None) -> int:
    """What this basket would earn now (for "you will earn N points")."""
    return preview_quote(basket, member, now=now).points
