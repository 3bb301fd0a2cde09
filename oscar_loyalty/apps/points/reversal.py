"""Reversal: a cancelled or refunded order gives back what it earned and spent.

Earned points are reversed per line, at the rate stored when they were
earned. Spent points are returned to the lots they came from. Each
cancellation or refund is processed once under its key (``PointsReversal``);
and the amounts are cumulative targets (``reversed_points`` only grows up
to what was earned, ``returned_points`` up to what was spent), so a
refund after a cancellation, or a status flipping back and forth, never
gives or takes a point twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from oscar_loyalty import signals
from oscar_loyalty.exceptions import AlreadyReversed
from oscar_loyalty.money import proportion

from . import services
from .models import (
    PointsEarning,
    PointsEarningLine,
    PointsEntry,
    PointsRedemption,
    PointsReversal,
)
from .redemption import settle


@dataclass(frozen=True)
class ReversalResult:
    reversal: PointsReversal
    earned_reversed: int
    spent_returned: int


def reverse_order(order, *, key: str, reason: str, now: datetime | None = None):
    """Reverse everything ``order`` earned and return everything it spent."""
    return _reverse(order, key=key, reason=reason, line_quantities=None, now=now)


def reverse_lines(
    order, line_quantities: dict, *, key: str, reason: str, now: datetime | None = None
):
    """Reverse what the given quantities of lines (``{line: quantity}``) earned and spent."""
    return _reverse(order, key=key, reason=reason, line_quantities=line_quantities, now=now)


def _reverse(order, *, key: str, reason: str, line_quantities: dict | None, now):
    now = now or timezone.now()
    earning = PointsEarning.objects.select_related("account__member").filter(order=order).first()
    redemption = (
        PointsRedemption.objects.select_related("account__member")
        .filter(order=order, status=PointsRedemption.CAPTURED)
        .first()
    )
    account_holder = earning or redemption
    if account_holder is None:
        if PointsReversal.objects.filter(key=key).exists():
            raise AlreadyReversed()
        return None
    if redemption is not None and not redemption.is_settled:
        # The order's task has not written the debit yet: write it first, so
        # the points returned go back to the lots they were taken from.
        settle(redemption, now=now)
        redemption.refresh_from_db()
    with transaction.atomic():
        account = services.lock_account(account_holder.account.member)
        if PointsReversal.objects.filter(key=key).exists():
            raise AlreadyReversed()
        earned = _reverse_earning(account, earning, line_quantities, key, reason, now)
        returned = _return_spent(account, redemption, order, line_quantities, key, reason, now)
        reversal = PointsReversal.objects.create(
            key=key,
            order=order,
            earned_points_reversed=earned,
            spent_points_returned=returned,
            reason=reason[:255],
            created_at=now,
        )
        signals.send_on_commit(
            signals.points_reversed,
            sender=PointsReversal,
            member=account_holder.account.member,
            reversal=reversal,
            order=order,
        )
    return ReversalResult(reversal, earned, returned)


def _reverse_earning(account, earning, line_quantities, key, reason, now) -> int:
    if earning is None:
        return 0
    earning = PointsEarning.objects.select_for_update().get(pk=earning.pk)
    total = 0
    for row in PointsEarningLine.objects.select_for_update().filter(earning=earning):
        if line_quantities is None:
            new_quantity = row.quantity
        else:
            refunded = next(
                (q for ln, q in line_quantities.items() if getattr(ln, "pk", ln) == row.line_id),
                0,
            )
            if not refunded:
                continue
            new_quantity = min(row.quantity, row.reversed_quantity + refunded)
        target = proportion(row.points, Decimal(new_quantity), Decimal(row.quantity))
        delta = target - row.reversed_points
        if delta <= 0 and new_quantity == row.reversed_quantity:
            continue
        PointsEarningLine.objects.filter(pk=row.pk).update(
            reversed_quantity=new_quantity, reversed_points=F("reversed_points") + max(delta, 0)
        )
        total += max(delta, 0)
    total = min(total, earning.points - earning.reversed_points)
    if total <= 0:
        return 0
    fully = earning.reversed_points + total >= earning.points
    if earning.status == PointsEarning.PENDING:
        # Not spendable yet: take it off the pending total; the ledger is untouched.
        services.change_totals_locked(account, pending=-total)
        PointsEarning.objects.filter(pk=earning.pk).update(
            reversed_points=F("reversed_points") + total,
            status=PointsEarning.CANCELLED if fully else PointsEarning.PENDING,
        )
        return total
    PointsEarning.objects.filter(pk=earning.pk).update(
        reversed_points=F("reversed_points") + total
    )
    entry_rate = (
        PointsEntry.objects.filter(idempotency_key=f"earn:{earning.order_id}")
        .values_list("rate", flat=True)
        .first()
    )
    services.debit_locked(
        account,
        total,
        kind=PointsEntry.REVERSE,
        reason=f"{reason} (order {earning.order.number})",
        key=f"reverse:{key}",
        now=now,
        allow_debt=True,
        order=earning.order,
        rate=entry_rate,
    )
    return total


def _return_spent(account, redemption, order, line_quantities, key, reason, now) -> int:
    if redemption is None:
        return 0
    redemption = PointsRedemption.objects.select_for_update().get(pk=redemption.pk)
    left = redemption.captured_points - redemption.returned_points
    if left <= 0:
        return 0
    returned_lines = dict(redemption.returned_lines or {})
    if line_quantities is None:
        points = left
    else:
        # A cumulative target, as for earning: the share of the spent points
        # that every quantity returned so far stands for, minus what already
        # came back. Rounding down each time would lose a point per refund.
        lines = {line.pk: line for line in order.lines.all()}
        for line, quantity in line_quantities.items():
            line_id = getattr(line, "pk", line)
            if line_id not in lines:
                continue
            before = int(returned_lines.get(str(line_id), 0))
            returned_lines[str(line_id)] = min(lines[line_id].quantity, before + int(quantity))
        part = sum(
            (
                lines[int(line_id)].line_price_incl_tax * quantity / lines[int(line_id)].quantity
                for line_id, quantity in returned_lines.items()
                if int(line_id) in lines and lines[int(line_id)].quantity
            ),
            Decimal("0"),
        )
        whole = sum((line.line_price_incl_tax for line in lines.values()), Decimal("0"))
        target = proportion(redemption.captured_points, part, whole)
        points = min(target - redemption.returned_points, left)
    if points <= 0:
        PointsRedemption.objects.filter(pk=redemption.pk).update(returned_lines=returned_lines)
        return 0
    services.return_to_lots_locked(
        account,
        redemption.captured_entry,
        points,
        reason=f"{reason}: points spent on order {order.number} returned",
        key=f"return:{key}",
        now=now,
        order=order,
    )
    PointsRedemption.objects.filter(pk=redemption.pk).update(
        returned_points=F("returned_points") + points, returned_lines=returned_lines
    )
    return points
