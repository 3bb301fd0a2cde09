"""The ledger is the truth: check every cached total against it, and rebuild."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Sum

from .models import PointsAccount, PointsEarning, PointsEntry, PointsLot, PointsLotUse


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
