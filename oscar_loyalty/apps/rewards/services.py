"""Redeeming rewards: points debited once, under the checkout's locks; returned at most once.

**Lock order** (the checkout's, ``points.redemption.reserve_points``, extended):
points account, then basket, then reward, then redemption. Every path here
takes them in that order, so a redemption, a checkout spending points and
a return never wait on each other in a cycle.

A reward's points are *captured at once*: the ledger debit is written in
the redemption's own transaction, with the account locked and the balance
less every live checkout reservation checked inside the lock (the
checkout's own rule). Nothing waits for a later settlement, so the
checkout's available balance sees the debit without knowing rewards exist.
What a basket reward *reserves* is its unit of stock and the money off its
product, until the order captures it (``capture_for_order``, in Oscar's
order transaction) or it is released: the line left the basket, the hold
lapsed, the order was cancelled, the voucher expired unused. Releasing
returns the points into the very lots they came from (``return_points``),
once: a conditional status change and the ledger's unique key
``reward-return:<pk>`` make a replay a no-op.
"""

from __future__ import annotations

import logging
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

logger = logging.getLogger(__name__)

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
    Basket = get_model("basket", "Basket")
    status = (
        Basket._default_manager.select_for_update(no_key=True)
        .filter(pk=basket.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status not in Basket.editable_statuses:
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


def return_points(
    redemption: RewardRedemption, *, reason: str, now: datetime | None = None
) -> bool:
    """Give a redemption's points back and its stock unit, once. Returns whether it did.

    Safe to call twice, from two workers at once, or with a stale object:
    everything is re-read with the rows locked (account, reward, redemption).
    """
    now = _now(now)
    with transaction.atomic():
        account = PointsAccount.objects.select_for_update().get(
            pk=PointsEntry.objects.filter(pk=redemption.debit_entry_id).values("account")[:1]
        )
        reward = Reward.objects.select_for_update().get(pk=redemption.reward_id)
        row = (
            RewardRedemption.objects.select_for_update(of=("self",))
            .select_related("debit_entry", "order")
            .get(pk=redemption.pk)
        )
        if row.status == RewardRedemption.RETURNED:
            return False
        entry = points_services.return_to_lots_locked(
            account,
            row.debit_entry,
            row.points,
            reason=reason[:255],
            key=f"reward-return:{row.pk}",
            now=now,
            order=row.order,
        )
        RewardRedemption.objects.filter(pk=row.pk).update(
            status=RewardRedemption.RETURNED,
            return_entry=entry,
            return_reason=reason[:255],
            updated_at=now,
        )
        if reward.stock is not None:
            Reward.objects.filter(pk=reward.pk).update(stock=F("stock") + 1)
    redemption.status = RewardRedemption.RETURNED
    return True


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


def return_unused_vouchers(*, now: datetime | None = None) -> int:
    """Return the points of voucher rewards whose voucher expired unused."""
    now = _now(now)
    returned = 0
    expired = RewardRedemption.objects.filter(
        status=RewardRedemption.CAPTURED,
        reward__kind=Reward.VOUCHER,
        voucher__end_datetime__lte=now,
        voucher__num_orders=0,
    )
    for redemption in expired.order_by("pk").iterator():
        if return_points(redemption, reason="Voucher expired unused", now=now):
            returned += 1
    return returned


def return_for_order(order, *, reason: str, now: datetime | None = None) -> int:
    """Return the points of the rewards ``order`` captured (it was cancelled), once each."""
    returned = 0
    for redemption in RewardRedemption.objects.filter(
        order=order, status=RewardRedemption.CAPTURED
    ).order_by("pk"):
        if return_points(redemption, reason=reason, now=now):
            returned += 1
    return returned


# Reading -----------------------------------------------------------------------


def redemptions_for(member: Member):
    return RewardRedemption.objects.filter(member=member).select_related("reward", "voucher")


def redemption_counts():
    """Per reward: redemptions holding a unit, and those whose points came back (dashboard)."""
    return Reward.objects.annotate(
        redeemed=Count("redemptions", filter=Q(redemptions__status__in=RewardRedemption.HOLDING)),
        returned=Count("redemptions", filter=Q(redemptions__status=RewardRedemption.RETURNED)),
    )
