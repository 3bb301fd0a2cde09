"""Redeeming a reward: who may, the catalogue a member sees, and the redemption itself.

The points are debited at once, under the checkout's locks (``services``
explains the lock order); a basket reward's product goes into the basket,
held until the order captures it (``holds``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.membership.baskets import lock_editable_basket
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points import services as points_services
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry, PointsRedemption
from oscar_loyalty.exceptions import (
    InsufficientPoints,
    RewardError,
    RewardLimitReached,
    RewardOutOfStock,
    RewardUnavailable,
)

from .models import Reward, RewardRedemption

MAX_KEY_LENGTH = 100


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# Eligibility -----------------------------------------------------------------


def open_rewards(*, now: datetime | None = None):
    """Rewards active and inside their window (eligibility per member aside)."""
    now = _now(now)
    return Reward.objects.filter(
        Q(starts_at__isnull=True) | Q(starts_at__lte=now),
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        is_active=True,
    )


def _in_segment(reward: Reward, member: Member, now: datetime) -> bool:
    if reward.segment_id is None:
        return True
    if not apps.is_installed("oscar_loyalty.apps.segments"):
        # The segment cannot be evaluated: closed rather than open to everyone.
        return False
    from oscar_loyalty.apps.segments.models import Segment
    from oscar_loyalty.apps.segments.services import contains

    segment = Segment.objects.filter(pk=reward.segment_id).first()
    return segment is not None and contains(segment, member, now=now)


def refusal(reward: Reward, member: Member | None, *, now: datetime | None = None) -> str | None:
    """Why ``member`` may not redeem ``reward`` now (stock and balance aside), or ``None``."""
    now = _now(now)
    if member is None or not member.has_benefits(now):
        return _("Only club members can redeem rewards.")
    if not reward.is_open(now):
        return _("This reward is not available.")
    tier_ids = {tier.pk for tier in reward.tiers.all()}
    if tier_ids and member.tier_id not in tier_ids:
        return _("This reward is for other tiers.")
    if not _in_segment(reward, member, now):
        return _("This reward is not available to you.")
    return None


@dataclass(frozen=True)
class CatalogueItem:
    reward: Reward
    redeemed: int  # by this member, still holding (reserved or captured)
    refusal: str | None  # why not (eligibility, stock, limit, balance), None: redeemable

    @property
    def can_redeem(self) -> bool:
        return self.refusal is None


def catalogue_for(
    member: Member | None, *, available_points: int, now: datetime | None = None
) -> list[CatalogueItem]:
    """The open rewards ``member`` is eligible for, each with why it cannot be redeemed now.

    Rewards of other tiers or segments are left out; sold-out ones and those
    beyond the balance are listed with the reason (a reason to come back).
    """
    now = _now(now)
    rewards = list(open_rewards(now=now).prefetch_related("tiers"))
    counts = {}
    if member is not None:
        counts = dict(
            RewardRedemption.objects.filter(
                member=member, status__in=RewardRedemption.HOLDING, reward__in=rewards
            )
            .values_list("reward")
            .annotate(n=Count("pk"))
        )
    items = []
    for reward in rewards:
        why = refusal(reward, member, now=now)
        if why is not None and member is not None and member.has_benefits(now):
            continue  # not for this member: not listed
        redeemed = counts.get(reward.pk, 0)
        why = why or _stock_or_limit_refusal(reward, redeemed)
        if why is None and reward.points > available_points:
            why = _("Not enough points yet.")
        items.append(CatalogueItem(reward=reward, redeemed=redeemed, refusal=why))
    return items


def _stock_or_limit_refusal(reward: Reward, redeemed: int) -> str | None:
    if reward.stock is not None and reward.stock < 1:
        return _("Out of stock.")
    if reward.per_member_limit is not None and redeemed >= reward.per_member_limit:
        return ngettext(
            "You have redeemed this reward the most times allowed (%(limit)s).",
            "You have redeemed this reward the most times allowed (%(limit)s).",
            reward.per_member_limit,
        ) % {"limit": reward.per_member_limit}
    return None


# Redeeming -------------------------------------------------------------------


def _held_by_checkout(account: PointsAccount, now: datetime) -> int:
    """Points reserved on baskets or captured but not settled: not spendable here."""
    return (
        PointsRedemption.objects.filter(PointsRedemption.held_q(now), account=account).aggregate(
            total=Sum(PointsRedemption.held_points())
        )["total"]
        or 0
    )


def _lock_editable_basket(basket) -> None:
    if not lock_editable_basket(basket):
        raise RewardUnavailable(_("This basket can no longer be changed."))


def _full_key(member: Member, request_key: str) -> str:
    request_key = (request_key or "").strip()
    if not request_key or len(request_key) > MAX_KEY_LENGTH or not request_key.isprintable():
        raise RewardError(_("This request cannot be processed. Reload the page and try again."))
    return f"{member.pk}:{request_key}"


def _replayed(key: str, reward: Reward) -> RewardRedemption | None:
    existing = RewardRedemption.objects.filter(request_key=key).first()
    if existing is not None and existing.reward_id != reward.pk:
        raise RewardError(_("This request was already used for another reward."))
    return existing


def redeem(
    member: Member,
    reward: Reward,
    *,
    request_key: str,
    basket=None,
    now: datetime | None = None,
) -> RewardRedemption:
    """Redeem ``reward`` for ``member``: debit the points, take a unit, issue or add to basket.

    ``request_key`` identifies the request (a form's hidden field, the API's
    ``Idempotency-Key``): the same key again returns the first redemption
    and changes nothing. Basket rewards need the member's own, editable
    ``basket`` (with its strategy). Raises a ``LoyaltyError`` with a message
    for the member; then nothing has changed.
    """
    now = _now(now)
    key = _full_key(member, request_key)
    existing = _replayed(key, reward)
    if existing is not None:
        return existing
    if reward.in_basket:
        if basket is None or basket.owner_id != member.user_id or not basket.id:
            raise RewardUnavailable(_("Gift rewards go into your own basket."))
        if not basket.can_be_edited:
            raise RewardUnavailable(_("This basket can no longer be changed."))
    try:
        with transaction.atomic():
            redemption = _redeem_locked(member, reward, key=key, basket=basket, now=now)
    except IntegrityError:
        # The same key committed between our read and insert (two tabs, one
        # form): that one is the redemption; this request changed nothing.
        existing = _replayed(key, reward)
        if existing is None:
            raise
        return existing
    return redemption


def _redeem_locked(member, reward, *, key, basket, now) -> RewardRedemption:
    # Lock order: account, basket, reward (module docstring).
    account = points_services.lock_account(member)
    if reward.in_basket:
        _lock_editable_basket(basket)
    # Whatever the caller's reward object says (a page loaded an hour ago) is stale.
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    existing = _replayed(key, reward)  # committed while we waited for the locks
    if existing is not None:
        return existing
    why = refusal(reward, member, now=now)
    if why is not None:
        raise RewardUnavailable(why)
    if reward.stock is not None and reward.stock < 1:
        raise RewardOutOfStock()
    redeemed = RewardRedemption.objects.filter(
        reward=reward, member=member, status__in=RewardRedemption.HOLDING
    ).count()
    if reward.per_member_limit is not None and redeemed >= reward.per_member_limit:
        raise RewardLimitReached(_stock_or_limit_refusal(reward, redeemed))
    available = account.balance - _held_by_checkout(account, now)
    if reward.points > available:
        free = max(available, 0)
        raise InsufficientPoints(
            ngettext(
                "You have %(points)s point available.",
                "You have %(points)s points available.",
                free,
            )
            % {"points": free}
        )
    product = reward.product if reward.in_basket else None
    if product is not None:
        info = basket.strategy.fetch_for_product(product)
        allowed, message = info.availability.is_purchase_permitted(1)
        if not allowed:
            raise RewardUnavailable(message)
    entry = points_services.debit_locked(
        account,
        reward.points,
        kind=PointsEntry.REDEEM,
        reason=f"Reward: {reward.name}"[:255],
        key=f"reward:{key}"[:128],
        now=now,
    )
    if reward.stock is not None:
        Reward.objects.filter(pk=reward.pk).update(stock=F("stock") - 1)
    redemption = RewardRedemption(
        reward=reward,
        member=member,
        request_key=key,
        points=reward.points,
        cash=reward.cash,
        debit_entry=entry,
        created_at=now,
    )
    if reward.kind == Reward.VOUCHER:
        redemption.status = RewardRedemption.CAPTURED
        redemption.voucher = _issue_voucher(reward, member, now=now)
        redemption.expires_at = redemption.voucher.end_datetime
    else:
        from .offer import ensure_rewards_offer

        ensure_rewards_offer()
        redemption.status = RewardRedemption.RESERVED
        redemption.basket_id = basket.id
        redemption.expires_at = now + timedelta(hours=app_settings.REWARDS_BASKET_HOLD_HOURS)
        basket.add_product(product, quantity=1)
    redemption.save(force_insert=True)
    if basket is not None:
        forget_basket_cache(basket)
    return redemption


def _issue_voucher(reward: Reward, member: Member, *, now: datetime):
    """A single-use voucher on the reward's voucher offer (in the redemption's transaction)."""
    from oscar.apps.voucher.utils import get_unused_code

    Voucher = get_model("voucher", "Voucher")
    code = get_unused_code(length=12)
    # Oscar's voucher names are unique: the code makes each one so.
    voucher = Voucher.objects.create(
        name=f"{reward.name[:100]} {code}",
        code=code,
        usage=Voucher.SINGLE_USE,
        start_datetime=now,
        end_datetime=now + timedelta(days=reward.voucher_days),
    )
    voucher.offers.add(reward.voucher_offer)
    return voucher


def forget_basket_cache(basket) -> None:
    if hasattr(basket, "_loyalty_rewards"):
        del basket._loyalty_rewards
