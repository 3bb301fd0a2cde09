"""The ledger is the truth: check every cached total against it, and rebuild."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from oscar.core.loading import get_model

from .models import (
    PointsAccount,
    PointsEarning,
    PointsEntry,
    PointsLot,
    PointsLotUse,
    PointsRedemption,
)
from .redemption import DISCOUNT_BENEFIT_PATH


def verify_balances(*, fix: bool = False) -> list[str]:
    """Compare every cached total with the ledger; with ``fix``, rebuild the caches.

    Returns one line per problem found (empty: all consistent).
    """
    problems: list[str] = []
    ledger = {
        row["account"]: row
        for row in PointsEntry.objects.values("account").annotate(
            points=Sum("points"), debt=Sum("debt")
        )
    }
    pending = dict(
        PointsEarning.objects.filter(status=PointsEarning.PENDING)
        .values_list("account")
        .annotate(total=Sum(F("points") - F("reversed_points")))
    )
    lots = dict(PointsLot.objects.values_list("account").annotate(total=Sum("remaining")))
    used = dict(PointsLotUse.objects.values_list("lot").annotate(total=Sum("points")))
    for lot in PointsLot.objects.only("pk", "points", "remaining"):
        expected = lot.points - (used.get(lot.pk) or 0)
        if lot.remaining != expected or expected < 0:
            problems.append(f"lot {lot.pk}: remaining {lot.remaining}, uses say {expected}")
            if fix and expected >= 0:
                PointsLot.objects.filter(pk=lot.pk).update(remaining=expected)
    for account in PointsAccount.objects.select_related("member").order_by("pk"):
        row = ledger.get(account.pk, {})
        balance, debt = row.get("points") or 0, row.get("debt") or 0
        expected_pending = pending.get(account.pk) or 0
        if (account.balance, account.debt, account.pending) != (balance, debt, expected_pending):
            problems.append(
                f"member {account.member.number}: balance/debt/pending "
                f"{account.balance}/{account.debt}/{account.pending}, "
                f"ledger says {balance}/{debt}/{expected_pending}"
            )
            if fix:
                with transaction.atomic():
                    PointsAccount.objects.select_for_update().filter(pk=account.pk).update(
                        balance=balance, debt=debt, pending=expected_pending
                    )
        if (lots.get(account.pk) or 0) != max(balance, 0):
            problems.append(
                f"member {account.member.number}: lots hold {lots.get(account.pk) or 0}, "
                f"balance is {balance}"
            )
    return problems


def verify_redemptions(*, now: datetime | None = None, grace_minutes: int = 60) -> list[str]:
    """Reconcile money with points: every points discount backed by exactly one settled debit.

    For every order, the points discount Oscar recorded (an ``OrderDiscount``
    of a points-discount offer), the captured redemption and the ``redeem``
    ledger entries must agree:

    * an order with a points discount has a captured redemption, charging
      more than zero points;
    * a captured redemption is settled by exactly one ``redeem`` entry for
      its order, for exactly the points captured (balance plus debt); one
      still unsettled ``grace_minutes`` after its order is reported, since
      the order task settles within seconds and the daily job catches a lost one;
    * a captured redemption belongs to an order that got a points discount,
      and no order has a ``redeem`` entry without a captured redemption.

    Read-only: money given away cannot be repaired by a script. Returns one
    line per problem (empty: money and points agree).
    """
    now = now or timezone.now()
    OrderDiscount = get_model("order", "OrderDiscount")
    ConditionalOffer = get_model("offer", "ConditionalOffer")
    points_offers = ConditionalOffer.objects.filter(
        benefit__proxy_class=DISCOUNT_BENEFIT_PATH
    ).values("pk")
    discounts: dict[int, tuple[str, Decimal]] = {}
    for order_id, number, amount in (
        OrderDiscount.objects.filter(offer_id__in=points_offers)
        .values_list("order_id", "order__number")
        .annotate(total=Sum("amount"))
    ):
        discounts[order_id] = (number, Decimal(amount).quantize(Decimal("0.01")))
    captured = {
        row["order_id"]: row
        for row in PointsRedemption.objects.filter(status=PointsRedemption.CAPTURED).values(
            "pk", "order_id", "order__number", "order__date_placed", "captured_points"
        )
    }
    debits: dict[int, list[int]] = {}
    for order_id, points, debt in PointsEntry.objects.filter(
        kind=PointsEntry.REDEEM, order__isnull=False
    ).values_list("order_id", "points", "debt"):
        debits.setdefault(order_id, []).append(-points + debt)

    problems: list[str] = []
    cutoff = now - timedelta(minutes=grace_minutes)
    for order_id in sorted(set(discounts) | set(captured) | set(debits)):
        number, amount = discounts.get(order_id, (None, None))
        row = captured.get(order_id)
        charged = debits.get(order_id, [])
        label = number or (row and row["order__number"]) or f"#{order_id}"
        if amount is not None and row is None:
            problems.append(
                f"order {label}: points discount {amount} but no captured redemption "
                f"({sum(charged)} points debited)"
            )
            continue
        if row is None:
            problems.append(f"order {label}: {sum(charged)} points debited without a redemption")
            continue
        if amount is None:
            problems.append(
                f"order {label}: {row['captured_points']} points captured "
                "but the order has no points discount"
            )
        if row["captured_points"] <= 0:
            problems.append(f"order {label}: points discount {amount} captured for 0 points")
        if len(charged) > 1:
            problems.append(f"order {label}: {len(charged)} redeem entries {charged}")
        elif not charged:
            if row["order__date_placed"] is None or row["order__date_placed"] < cutoff:
                problems.append(
                    f"order {label}: {row['captured_points']} points captured, never debited"
                )
        elif charged[0] != row["captured_points"]:
            problems.append(
                f"order {label}: {row['captured_points']} points captured, {charged[0]} debited"
            )
    return problems
