"""Tiers: qualifying spend over a rolling window, the tier it reaches, the history.

Changes run with the member row locked; the history row, the signal and
the email follow the same transaction (the last two after commit).

Downgrades found by the daily recalculation (spend leaving the window, staff
raising a threshold) are held for ``TIER_DOWNGRADE_GRACE_DAYS``: the member
is told once, with the date and the spend still needed, and keeps the tier
until then; spend that comes back in time cancels the downgrade. An order
cancelled or refunded in full still moves the member down at once (that
spend never counted), except while a downgrade is already held: the held
date stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from oscar_loyalty import app_settings, signals
from oscar_loyalty.dates import add_months
from oscar_loyalty.order_events import order_counts

from .models import ZERO, Member, Tier, TierChange


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def qualifying_spend_queryset(*, now: datetime):
    """Order lines that count towards tiers: paid-for products, not membership fees.

    Line prices after discounts (so points spent as money do not count),
    without shipping; only orders that count (``counted_orders``: not
    cancelled, not refunded in full).
    """
    Line = get_model("order", "Line")
    since = add_months(now, -app_settings.TIER_WINDOW_MONTHS)
    return (
        Line.objects.filter(order__date_placed__gt=since, order__date_placed__lte=now)
        .filter(order_counts("order__"))
        .exclude(product__loyalty_plan__isnull=False)
    )


def qualifying_spend(member: Member, *, now: datetime) -> Decimal:
    if member.user_id is None:
        return ZERO
    total = (
        qualifying_spend_queryset(now=now)
        .filter(order__user_id=member.user_id)
        .aggregate(total=Sum("line_price_incl_tax"))["total"]
    )
    return (total or ZERO).quantize(Decimal("0.01"))


def tier_for_spend(spend: Decimal, tiers: list[Tier]) -> Tier | None:
    """The highest active tier whose threshold the spend reaches (tiers sorted ascending)."""
    chosen = None
    for tier in tiers:
        if tier.qualifying_spend <= spend:
            chosen = tier
    return chosen


def _apply_tier(member: Member, tier: Tier | None, spend: Decimal, *, reason: str, now: datetime):
    change = None
    held = _held_downgrade(member, tier, spend, reason=reason, now=now)
    if held:
        tier = member.tier
    elif member.tier_downgrade_due_at is not None:
        # Reached the tier again, or the held date came: the notice is settled.
        Member.objects.filter(pk=member.pk).update(tier_downgrade_due_at=None)
        member.tier_downgrade_due_at = None
    if member.tier_id != (tier.pk if tier else None):
        change = TierChange.objects.create(
            member=member,
            from_tier_id=member.tier_id,
            to_tier=tier,
            qualifying_spend=spend,
            reason=reason,
            created_at=now,
        )
        signals.send_on_commit(signals.tier_changed, sender=Member, member=member, change=change)
        if change.from_tier_id is not None and app_settings.TIER_CHANGE_EMAIL:
            transaction.on_commit(lambda: _send_tier_email(member, change))
    Member.objects.filter(pk=member.pk).update(
        tier=tier, qualifying_spend=spend, tier_computed_at=now
    )
    member.tier, member.qualifying_spend, member.tier_computed_at = tier, spend, now
    return change


def is_downgrade(current: Tier | None, tier: Tier | None) -> bool:
    """Whether moving from ``current`` to ``tier`` is a step down (a lower threshold)."""
    if current is None:
        return False
    return tier is None or tier.qualifying_spend < current.qualifying_spend


def _held_downgrade(
    member: Member, tier: Tier | None, spend: Decimal, *, reason: str, now: datetime
) -> bool:
    """Whether to keep the member's tier although the spend now reaches only ``tier``.

    Called with the member row locked. Starts the grace period (and sends
    the notice, once per drop date) when the daily recalculation finds a
    downgrade; keeps the tier while a started grace period runs.
    """
    current = member.tier if member.tier_id else None
    if current is None or not current.is_active or not is_downgrade(current, tier):
        return False
    due = member.tier_downgrade_due_at
    if due is not None:
        return now < due
    grace = app_settings.TIER_DOWNGRADE_GRACE_DAYS
    if reason != TierChange.REASON_DAILY or not grace:
        return False
    due = now + timedelta(days=grace)
    member.tier_downgrade_due_at = due
    updates = {"tier_downgrade_due_at": due}
    if member.tier_downgrade_notice_for != due:
        # Marked in the same transaction as the date: a rerun finds both and
        # sends nothing; a crash before the commit leaves neither.
        member.tier_downgrade_notice_for = due
        updates["tier_downgrade_notice_for"] = due
        notice = {
            "tier": current,
            "to_tier": tier,
            "due": due,
            "needed": max(current.qualifying_spend - spend, ZERO),
        }
        transaction.on_commit(lambda: _send_downgrade_notice(member, notice))
    Member.objects.filter(pk=member.pk).update(**updates)
    return True


def _send_downgrade_notice(member: Member, notice: dict) -> None:
    from oscar_loyalty.mail import send_member_email

    send_member_email(member, email_type="tier_downgrade_notice", context=notice)


def _send_tier_email(member: Member, change: TierChange) -> None:
    from oscar_loyalty.mail import send_member_email

    send_member_email(
        member,
        email_type="tier_changed",
        # The tier itself: its name is read in the member's language when the mail is rendered.
        context={"tier": change.to_tier or "—", "change": change},
    )


def _active_tiers() -> list[Tier]:
    return list(Tier.objects.filter(is_active=True).order_by("qualifying_spend", "pk"))


def _recompute_tier_locked(member: Member, *, reason: str, now: datetime) -> TierChange | None:
    spend = qualifying_spend(member, now=now)
    return _apply_tier(
        member, tier_for_spend(spend, _active_tiers()), spend, reason=reason, now=now
    )


def recompute_tier(
    member: Member, *, reason: str = TierChange.REASON_ORDER, now: datetime | None = None
) -> TierChange | None:
    """Recompute one member's tier from their spend; record a change if there is one."""
    now = _now(now)
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        return _recompute_tier_locked(member, reason=reason, now=now)


def recompute_all_tiers(*, now: datetime | None = None, batch_size: int = 2000) -> int:
    """Daily recalculation: one aggregate query for everyone's spend, writes only for changes.

    Returns the number of tier changes recorded.
    """
    now = _now(now)
    tiers = _active_tiers()
    spend_by_user = dict(
        qualifying_spend_queryset(now=now)
        .values_list("order__user_id")
        .annotate(total=Sum("line_price_incl_tax"))
        .values_list("order__user_id", "total")
    )
    changes = 0
    members = Member.objects.filter(user__isnull=False).only(
        "pk", "user_id", "tier_id", "tier_downgrade_due_at"
    )
    for member in members.iterator(chunk_size=batch_size):
        spend = (spend_by_user.get(member.user_id) or ZERO).quantize(Decimal("0.01"))
        tier = tier_for_spend(spend, tiers)
        if member.tier_id == (tier.pk if tier else None) and member.tier_downgrade_due_at is None:
            continue
        with transaction.atomic():
            locked = Member.objects.select_for_update().get(pk=member.pk)
            if _apply_tier(locked, tier, spend, reason=TierChange.REASON_DAILY, now=now):
                changes += 1
    # One bulk write keeps the displayed spend fresh for members whose tier held.
    Member.objects.filter(Q(tier_computed_at__isnull=True) | Q(tier_computed_at__lt=now)).update(
        tier_computed_at=now
    )
    return changes


@dataclass(frozen=True)
class TierProgress:
    """Where a member stands: the tier, the spend counted, and what the next tier needs."""

    tier: Tier | None
    spend: Decimal
    next_tier: Tier | None
    remaining: Decimal  # spend still needed to reach ``next_tier`` (0 without one)
    percent: int  # 0-100: the spend as a share of the next tier's threshold
    window_months: int
    downgrade_on: datetime | None = None  # a held downgrade's date (grace period)
    keep_needed: Decimal = ZERO  # spend still needed to keep ``tier`` by that date


def tier_progress(member: Member) -> TierProgress:
    """The member's progress to the next tier: one query (the active tiers).

    Reads the spend the tier was computed from (``Member.qualifying_spend``,
    kept fresh by every order event and the daily recalculation), so the
    figure is the one that decides the tier, not a second sum that could
    disagree with it.
    """
    spend = member.qualifying_spend or ZERO
    tier = member.tier if member.tier_id else None
    held = {}
    if tier is not None and member.tier_downgrade_due_at is not None:
        held = {
            "downgrade_on": member.tier_downgrade_due_at,
            "keep_needed": max(tier.qualifying_spend - spend, ZERO),
        }
    floor = max(spend, tier.qualifying_spend if tier else ZERO)
    next_tier = next((t for t in _active_tiers() if t.qualifying_spend > floor), None)
    if next_tier is None:
        return TierProgress(tier, spend, None, ZERO, 100, app_settings.TIER_WINDOW_MONTHS, **held)
    remaining = next_tier.qualifying_spend - spend
    # Below 100 until reached; the next tier's threshold is above the spend, so never 0 / 0.
    percent = max(0, min(int(spend * 100 / next_tier.qualifying_spend), 99))
    return TierProgress(
        tier, spend, next_tier, remaining, percent, app_settings.TIER_WINDOW_MONTHS, **held
    )


def _plain(value: Decimal) -> str:
    """1.50 -> "1.5", 10.00 -> "10": multipliers and percentages as people write them."""
    return format(Decimal(value).normalize(), "f")


def tier_perks(tier: Tier) -> list[str]:
    """What a tier gives, as sentences: its points multiplier and its discount."""
    perks = []
    if tier.points_multiplier != 1:
        perks.append(
            _("×%(multiplier)s points on every purchase")
            % {"multiplier": _plain(tier.points_multiplier)}
        )
    if tier.discount_percent:
        perks.append(
            _("%(percent)s%% member discount") % {"percent": _plain(tier.discount_percent)}
        )
    return perks
