"""Referral rewards: the first order, maturity, reversal and the review queue.

Every change locks the referral row (``select_for_update``) inside
``transaction.atomic()`` and re-reads its status there. Points go through the
points ledger under idempotency keys ``referral:<pk>:referrer`` /
``referral:<pk>:friend`` (and ``...:reverse``), so a replayed signal, a second
daily run or two workers at once reward or take back once.

The referrer's reward follows the points engine's return window: it is pending
until ``POINTS_PENDING_DAYS`` after the first order, or until the order reaches
a status in ``POINTS_MATURE_STATUSES``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty import signals as club_signals
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.exceptions import GiftUnavailable, ReferralError

from . import fingerprints
from .friend_offer import ensure_friend_offer
from .models import Referral

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
Voucher = get_model("voucher", "Voucher")

#: Statuses in which the referrer's reward counts towards the caps.
COUNTED = (Referral.PENDING, Referral.REWARDED)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lock(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _points_installed() -> bool:
    return apps.is_installed("oscar_loyalty.apps.points")


# The new customer's voucher --------------------------------------------------


def issue_friend_voucher(referral: Referral, *, now: datetime | None = None):
    """The new customer's single-use voucher, once (call inside the linking transaction)."""
    now = _now(now)
    slug = app_settings.REFERRALS_FRIEND_OFFER
    if app_settings.REFERRALS_FRIEND_REWARD != "voucher" or not slug or referral.friend_voucher_id:
        return None
    from oscar_loyalty.apps.offers.gifts import issue_voucher

    ensure_friend_offer(slug)
    try:
        voucher = issue_voucher(
            referral.referrer,
            offer_slug=slug,
            name=f"Friend of {referral.referrer.number} ({referral.referee_id})",
            starts_at=now,
            ends_at=now + timedelta(days=app_settings.REFERRALS_FRIEND_VOUCHER_DAYS),
        )
    except GiftUnavailable:
        # A store misconfiguration must not cost the customer the referral itself.
        logger.error("OSCAR_LOYALTY_REFERRALS_FRIEND_OFFER: no voucher offer %r.", slug)
        return None
    Referral.objects.filter(pk=referral.pk).update(friend_voucher=voucher)
    referral.friend_voucher = voucher
    return voucher


# First order -----------------------------------------------------------------


def review_reasons(referral: Referral, order) -> list[str]:
    """Signals the referee shares with the referrer (compared as digests)."""
    referrer_user = referral.referrer.user
    if referrer_user is None:
        return []
    reasons = []
    ours = referral.signals
    referrer_orders = Order.objects.filter(user=referrer_user).exclude(pk=order.pk)
    if ours.get("address"):
        addresses = [
            o.shipping_address for o in referrer_orders.select_related("shipping_address")
        ]
        addresses += list(referrer_user.addresses.all())
        if ours["address"] in {fingerprints.address_digest(a) for a in addresses if a}:
            reasons.append("same shipping address as the referrer")
    if ours.get("payment"):
        if ours["payment"] in {fingerprints.payment_digest(o) for o in referrer_orders}:
            reasons.append("same payment method as the referrer")
    return reasons


def _over_cap(referral: Referral, *, now: datetime) -> bool:
    """Whether the referrer already has as many rewards as a cap allows.

    Locks the referrer's member row first, so two friends' first orders
    placed at once are counted one after the other (lock order: referral,
    then member).
    """
    Member.objects.select_for_update().filter(pk=referral.referrer_id).first()
    made = Referral.objects.filter(referrer_id=referral.referrer_id, status__in=COUNTED).exclude(
        pk=referral.pk
    )
    total_cap = app_settings.REFERRALS_TOTAL_CAP
    if total_cap is not None and made.count() >= total_cap:
        return True
    monthly_cap = app_settings.REFERRALS_MONTHLY_CAP
    if monthly_cap is not None:
        local = timezone.localtime(now)
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if made.filter(qualified_at__gte=start).count() >= monthly_cap:
            return True
    return False


def qualify_first_order(order, *, now: datetime | None = None) -> Referral | None:
    """The referee placed ``order``: pending, in review, capped or rejected.

    Idempotent: only a ``linked`` referral moves. An order that is not the
    referee's first rejects the referral (no reward on either side).
    """
    now = _now(now)
    if order.user_id is None:
        return None
    referral = Referral.objects.filter(referee_id=order.user_id, status=Referral.LINKED).first()
    if referral is None:
        return None
    from .services import has_previous_orders

    with transaction.atomic():
        referral = _lock(referral)
        if referral.status != Referral.LINKED:
            return referral
        placed = order.date_placed or now
        referral.first_order = order
        referral.qualified_at = placed
        signals = dict(referral.signals)
        signals["address"] = fingerprints.address_digest(order.shipping_address)
        signals["payment"] = fingerprints.payment_digest(order)
        referral.signals = signals
        if has_previous_orders(order.user, exclude_order=order):
            referral.status = Referral.REJECTED
            referral.review_reasons = ["not the customer's first order"]
        else:
            reasons = review_reasons(referral, order)
            referral.review_reasons = reasons
            if reasons:
                referral.status = Referral.REVIEW
            elif _over_cap(referral, now=placed):
                referral.status = Referral.CAPPED
            else:
                referral.status = Referral.PENDING
        referral.matures_at = placed + timedelta(days=app_settings.POINTS_PENDING_DAYS)
        referral.save()
        if referral.status != Referral.REJECTED:
            club_signals.send_on_commit(
                club_signals.referral_qualified, sender=Referral, referral=referral
            )
        if referral.status == Referral.PENDING and referral.matures_at <= now:
            _mature_locked(referral, now=now)
    return referral


# Maturity --------------------------------------------------------------------


def _credit(member: Member, points: int, *, key: str, reason: str, order, now: datetime):
    from oscar_loyalty.apps.points.models import PointsEntry
    from oscar_loyalty.apps.points.services import credit_locked, lock_account

    account = lock_account(member)
    if PointsEntry.objects.filter(idempotency_key=key).exists():
        return None
    return credit_locked(
        account, points, kind=PointsEntry.BONUS, reason=reason, key=key, now=now, order=order
    )


def _debit(member: Member, points: int, *, key: str, reason: str, order, now: datetime):
    from oscar_loyalty.apps.points.models import PointsEntry
    from oscar_loyalty.apps.points.services import debit_locked, lock_account

    account = lock_account(member)
    if PointsEntry.objects.filter(idempotency_key=key).exists():
        return None
    # allow_debt: points already spent are owed and paid from the next credits.
    return debit_locked(
        account,
        points,
        kind=PointsEntry.REVERSE,
        reason=reason,
        key=key,
        now=now,
        allow_debt=True,
        order=order,
    )


def _mature_locked(referral: Referral, *, now: datetime) -> Referral:
    order = referral.first_order
    number = order.number if order else ""
    kind = app_settings.REFERRALS_REFERRER_REWARD
    if kind == "points" and _points_installed():
        points = app_settings.REFERRALS_REFERRER_POINTS
        if points > 0:
            _credit(
                referral.referrer,
                points,
                key=f"referral:{referral.pk}:referrer",
                reason=f"Friend referred (order {number})",
                order=order,
                now=now,
            )
            referral.referrer_points = points
    elif kind == "voucher" and app_settings.REFERRALS_REFERRER_OFFER:
        from oscar_loyalty.apps.offers.gifts import issue_voucher

        referral.referrer_voucher = issue_voucher(
            referral.referrer,
            offer_slug=app_settings.REFERRALS_REFERRER_OFFER,
            name=f"Referral reward {referral.referrer.number} ({referral.pk})",
            starts_at=now,
            ends_at=now + timedelta(days=app_settings.REFERRALS_FRIEND_VOUCHER_DAYS),
        )
    friend_points = app_settings.REFERRALS_FRIEND_POINTS
    if (
        app_settings.REFERRALS_FRIEND_REWARD == "points"
        and friend_points > 0
        and _points_installed()
    ):
        friend = Member.objects.filter(user_id=referral.referee_id).first()
        if friend is not None:
            _credit(
                friend,
                friend_points,
                key=f"referral:{referral.pk}:friend",
                reason=f"Welcome from a friend (order {number})",
                order=order,
                now=now,
            )
            referral.friend_points = friend_points
    referral.status = Referral.REWARDED
    referral.rewarded_at = now
    referral.save()
    club_signals.send_on_commit(club_signals.referral_rewarded, sender=Referral, referral=referral)
    pk = referral.pk
    transaction.on_commit(lambda: send_reward_email(pk))
    return referral


def send_reward_email(referral_pk: int) -> bool:
    """Tell the referrer their reward arrived (after commit; never raises).

    ``referral_reward`` is an advertising email type (``EMAIL_TYPE_CLASSES``):
    ``send_member_email`` sends it only with marketing consent, with the footer.
    """
    from oscar_loyalty.notices import send_member_notice

    try:
        referral = Referral.objects.select_related("referrer__user", "referrer_voucher").get(
            pk=referral_pk
        )
        return send_member_notice(
            referral.referrer,
            notice_type="referral_reward",
            context={
                "referral": referral,
                "points": referral.referrer_points,
                "voucher": referral.referrer_voucher,
            },
            key=f"referral_reward:{referral.pk}",
        )
    except Exception:  # noqa: BLE001 - the reward is credited; an email must not undo it.
        logger.exception("Referral reward email failed for referral %s", referral_pk)
        return False


def mature_referral(referral: Referral, *, now: datetime | None = None) -> Referral | None:
    """Reward a pending referral (idempotent: anything not pending is left alone)."""
    now = _now(now)
    with transaction.atomic():
        referral = _lock(referral)
        if referral.status != Referral.PENDING:
            return None
        return _mature_locked(referral, now=now)


def mature_order(order, *, now: datetime | None = None) -> Referral | None:
    """The first order reached a status in ``POINTS_MATURE_STATUSES``."""
    referral = Referral.objects.filter(first_order=order).first()
    return mature_referral(referral, now=now) if referral else None


def mature_due_referrals(*, now: datetime | None = None) -> int:
    """Daily: reward every pending referral whose return window has passed."""
    now = _now(now)
    matured = 0
    due = Referral.objects.filter(status=Referral.PENDING, matures_at__lte=now)
    for pk in list(due.order_by("matures_at", "pk").values_list("pk", flat=True)):
        try:
            if mature_referral(Referral(pk=pk), now=now) is not None:
                matured += 1
        except Exception:  # noqa: BLE001 - one referral's problem must not stop the rest.
            logger.exception("Maturing referral %s failed", pk)
    return matured


# Reversal --------------------------------------------------------------------


def reverse_order(order, *, reason: str, now: datetime | None = None) -> Referral | None:
    """The first order was cancelled or refunded: take the rewards back, once."""
    now = _now(now)
    referral = Referral.objects.filter(first_order=order).first()
    if referral is None:
        return None
    with transaction.atomic():
        referral = _lock(referral)
        if referral.status in (Referral.REVERSED, Referral.REJECTED, Referral.LINKED):
            return None
        if referral.status == Referral.REWARDED:
            if referral.referrer_points:
                _debit(
                    referral.referrer,
                    referral.referrer_points,
                    key=f"referral:{referral.pk}:referrer:reverse",
                    reason=f"{reason}: friend's order {order.number}",
                    order=order,
                    now=now,
                )
            friend = Member.objects.filter(user_id=referral.referee_id).first()
            if referral.friend_points and friend is not None:
                _debit(
                    friend,
                    referral.friend_points,
                    key=f"referral:{referral.pk}:friend:reverse",
                    reason=f"{reason}: order {order.number}",
                    order=order,
                    now=now,
                )
            if referral.referrer_voucher_id:
                # An unused reward voucher stops working; a used one cannot be recalled.
                Voucher.objects.filter(pk=referral.referrer_voucher_id, num_orders=0).update(
                    end_datetime=now
                )
        referral.status = Referral.REVERSED
        referral.reversed_at = now
        referral.review_reasons = [*referral.review_reasons, reason]
        referral.save()
    return referral


# Review queue ----------------------------------------------------------------


def approve_referral(referral: Referral, *, staff_user, now: datetime | None = None) -> Referral:
    """Staff clear a referral in review: it becomes pending (or capped) as if clean."""
    now = _now(now)
    with transaction.atomic():
        referral = _lock(referral)
        if referral.status != Referral.REVIEW:
            raise ReferralError(_("Only a referral in review can be approved."))
        referral.reviewed_by, referral.reviewed_at = staff_user, now
        over = _over_cap(referral, now=referral.qualified_at or now)
        referral.status = Referral.CAPPED if over else Referral.PENDING
        referral.save()
        if (
            referral.status == Referral.PENDING
            and referral.matures_at
            and referral.matures_at <= now
        ):
            _mature_locked(referral, now=now)
    return referral


def reject_referral(referral: Referral, *, staff_user, now: datetime | None = None) -> Referral:
    """Staff reject a referral in review: no referrer reward."""
    now = _now(now)
    with transaction.atomic():
        referral = _lock(referral)
        if referral.status != Referral.REVIEW:
            raise ReferralError(_("Only a referral in review can be rejected."))
        referral.reviewed_by, referral.reviewed_at = staff_user, now
        referral.status = Referral.REJECTED
        referral.save()
    return referral
