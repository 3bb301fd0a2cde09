"""Giving a reward's points back, once: the one reversal path every return takes.

``return_points`` locks the account, the reward and the redemption (in the
checkout's order, ``services``), re-reads the redemption under the lock and
writes the ledger entry under the unique key ``reward-return:<pk>``: a
replay, a second worker or a stale object returns nothing more. Released
baskets, lapsed holds, expired vouchers, cancelled orders and a reward's
line refunded or cancelled on its own (``return_for_given_back_line``) all
come through it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty.apps.points import services as points_services
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry

from .models import Reward, RewardRedemption


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


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


def given_back_units(order, product_id: int) -> tuple[int, int]:
    """``(units, given back)`` of ``order``'s lines of ``product_id``: refunded or cancelled.

    Read from Oscar's rows (a cancelled line's status, the quantities of the
    refund payment events), so the answer is the same however often the
    refund is told: a replayed event gives back nothing more.
    """
    from oscar_loyalty import app_settings

    Line = get_model("order", "Line")
    PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
    lines = list(
        Line._default_manager.filter(order_id=order.pk, product_id=product_id).values_list(
            "pk", "quantity", "status"
        )
    )
    refunded = dict(
        PaymentEventQuantity._default_manager.filter(
            line_id__in=[pk for pk, _quantity, _status in lines],
            event__event_type__name__in=app_settings.REFUND_EVENT_TYPES,
        )
        .values_list("line_id")
        .annotate(total=Sum("quantity"))
    )
    cancelled = set(app_settings.CANCELLED_ORDER_STATUSES)
    units = sum(quantity for _pk, quantity, _status in lines)
    back = sum(
        quantity if status in cancelled else min(quantity, refunded.get(pk, 0))
        for pk, quantity, status in lines
    )
    return units, back


def return_for_given_back_line(line, *, reason: str, now: datetime | None = None) -> int:
    """Return the rewards whose unit on ``line``'s product came back (a partial refund), once.

    The rule (docs/rewards.md): a reward's unit is the *last* of its product's
    units in the order to be given back. With ``paid`` units the member paid
    for in full and ``rewarded`` units redeemed, the rewards due back are
    ``given back - paid`` (never below 0, never above ``rewarded``); a refund
    of other lines, or of paid units only, returns nothing of a reward.

    Each reward goes back through ``return_points`` (its ledger key
    ``reward-return:<pk>``, one per order and reward unit). The count is taken
    with the member's account locked, the first lock of every return, so two
    refund events of one order at once cannot both return the same unit.
    """
    if line.product_id is None:
        return 0
    holding = RewardRedemption.objects.filter(
        order_id=line.order_id,
        reward__product_id=line.product_id,
        status__in=(RewardRedemption.CAPTURED, RewardRedemption.RETURNED),
    )
    first = holding.filter(status=RewardRedemption.CAPTURED).only("member_id").first()
    if first is None:
        return 0  # most refunded lines hold no reward: one query
    returned = 0
    with transaction.atomic():
        PointsAccount.objects.select_for_update().filter(member_id=first.member_id).first()
        rows = list(holding.order_by("pk"))
        units, back = given_back_units(line.order, line.product_id)
        rewarded = len(rows)
        due = min(max(back - (units - rewarded), 0), rewarded)
        due -= sum(row.status == RewardRedemption.RETURNED for row in rows)
        for row in rows:
            if due <= 0:
                break
            if row.status == RewardRedemption.CAPTURED and return_points(
                row, reason=reason, now=now
            ):
                returned += 1
                due -= 1
    return returned
