"""Ledger primitives: the only code that writes entries, lots and cached totals.

Each ``*_locked`` function expects the caller to hold the account row lock
(``services.lock_account`` inside ``transaction.atomic()``) and to have
validated the request inside that lock. Invariant kept by every function:
the lots of an account hold ``max(balance, 0)`` points.
"""

from __future__ import annotations

import calendar
from datetime import datetime, time

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import ngettext

from oscar_loyalty import app_settings
from oscar_loyalty.dates import add_months
from oscar_loyalty.exceptions import DuplicatePointsEntry, InsufficientPoints

from .models import PointsAccount, PointsEntry, PointsLot, PointsLotUse


def expiry_for(now: datetime) -> datetime | None:
    """When points credited at ``now`` expire (``None``: never)."""
    months = app_settings.POINTS_EXPIRY_MONTHS
    if months is None:
        return None
    expires = add_months(timezone.localtime(now), months)
    if app_settings.POINTS_EXPIRY_END_OF_MONTH:
        last_day = calendar.monthrange(expires.year, expires.month)[1]
        expires = timezone.make_aware(
            datetime.combine(expires.replace(day=last_day).date(), time.max)
        )
    return expires


def change_totals_locked(
    account: PointsAccount, *, balance: int = 0, debt: int = 0, pending: int = 0
) -> None:
    """Move the cached totals by the given amounts (account locked by the caller)."""
    if not (balance or debt or pending):
        return
    PointsAccount.objects.filter(pk=account.pk).update(
        balance=F("balance") + balance,
        debt=F("debt") + debt,
        pending=F("pending") + pending,
        updated_at=timezone.now(),
    )
    account.balance += balance
    account.debt += debt
    account.pending += pending


def _check_key(key: str) -> None:
    if PointsEntry.objects.filter(idempotency_key=key).exists():
        raise DuplicatePointsEntry()


def _write_entry(
    account, kind, points, debt, reason, key, now, *, order, line, rate, staff_user
) -> PointsEntry:
    """The one place a ledger row is written (the caller holds the account lock)."""
    return PointsEntry.objects.create(
        account=account,
        kind=kind,
        points=points,
        debt=debt,
        reason=reason[:255],
        order=order,
        line=line,
        rate=rate,
        idempotency_key=key,
        staff_user=staff_user,
        created_at=now,
    )


def credit_locked(
    account: PointsAccount,
    points: int,
    *,
    kind: str,
    reason: str,
    key: str,
    now: datetime,
    order=None,
    line=None,
    rate=None,
    staff_user=None,
) -> PointsEntry:
    """Add ``points`` (account locked by the caller); owed points are paid off first.

    The rest goes into a new lot expiring per the settings.
    """
    entry, balance_change, debt_change, into_lot = _write_credit(
        account,
        kind,
        points,
        reason,
        key,
        now,
        order=order,
        line=line,
        rate=rate,
        staff_user=staff_user,
    )
    if into_lot > 0:
        _new_lot(account, entry, into_lot, now)
    change_totals_locked(account, balance=balance_change, debt=debt_change)
    return entry


def _write_credit(account, kind, points, reason, key, now, **refs):
    """Write a credit entry; owed points are paid off first.

    Returns the entry, the balance and debt changes, and how many points land
    above zero (what lots must hold). A negative balance
    (OSCAR_LOYALTY_POINTS_ALLOW_NEGATIVE_BALANCE) is paid by the credit itself.
    """
    _check_key(key)
    debt_paid = min(points, account.debt)
    balance_change, debt_change = points - debt_paid, -debt_paid
    entry = _write_entry(account, kind, balance_change, debt_change, reason, key, now, **refs)
    into_lots = max(account.balance + balance_change, 0) - max(account.balance, 0)
    return entry, balance_change, debt_change, into_lots


def _new_lot(account: PointsAccount, entry: PointsEntry, points: int, now: datetime) -> PointsLot:
    return PointsLot.objects.create(
        account=account,
        entry=entry,
        points=points,
        remaining=points,
        expires_at=expiry_for(now),
        created_at=now,
    )


def _take_from_lots(account: PointsAccount, entry: PointsEntry, points: int) -> int:
    """Consume up to ``points`` from the soonest-expiring lots; record each use."""
    taken = 0
    lots = account.lots.select_for_update().filter(remaining__gt=0)
    for lot in lots:  # Meta.ordering: soonest expiry first, never-expiring last
        if taken >= points:
            break
        take = min(lot.remaining, points - taken)
        PointsLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") - take)
        PointsLotUse.objects.create(entry=entry, lot=lot, points=take)
        taken += take
    return taken


def debit_locked(
    account: PointsAccount,
    points: int,
    *,
    kind: str,
    reason: str,
    key: str,
    now: datetime,
    allow_debt: bool = False,
    order=None,
    line=None,
    rate=None,
    staff_user=None,
) -> PointsEntry:
    """Take ``points`` (account locked by the caller), soonest-expiring lots first.

    More than the balance raises ``InsufficientPoints`` unless ``allow_debt``
    (reversals): then the rest becomes a debt, or a negative balance when
    ``OSCAR_LOYALTY_POINTS_ALLOW_NEGATIVE_BALANCE`` is on.
    """
    _check_key(key)
    covered = min(points, max(account.balance, 0))
    rest = points - covered
    if rest and not allow_debt:
        free = max(account.balance, 0)
        raise InsufficientPoints(
            ngettext(
                "Only %(points)s point is available.",
                "Only %(points)s points are available.",
                free,
            )
            % {"points": free},
            requested=points,
        )
    if app_settings.POINTS_ALLOW_NEGATIVE_BALANCE:
        balance_change, debt_change = -points, 0
    else:
        balance_change, debt_change = -covered, rest
    entry = _write_entry(
        account,
        kind,
        balance_change,
        debt_change,
        reason,
        key,
        now,
        order=order,
        line=line,
        rate=rate,
        staff_user=staff_user,
    )
    taken = _take_from_lots(account, entry, covered)
    if taken != covered:
        # Rolls the whole change back: never record a debit the lots cannot back.
        raise RuntimeError(
            f"Lots of points account {account.pk} hold less than its balance; "
            "run loyalty_verify_points."
        )
    change_totals_locked(account, balance=balance_change, debt=debt_change)
    return entry


def return_to_lots_locked(
    account: PointsAccount,
    source: PointsEntry,
    points: int,
    *,
    reason: str,
    key: str,
    now: datetime,
    order=None,
) -> PointsEntry:
    """Give back ``points`` a debit took, into the very lots it took them from.

    Owed points are paid off first. Lots are refilled latest-expiring first,
    so the shopper keeps the points longest; a lot already past its expiry
    is expired again by the next ``loyalty_expire_points`` run.
    """
    entry, balance_change, debt_change, into_lots = _write_credit(
        account,
        PointsEntry.REVERSE,
        points,
        reason,
        key,
        now,
        order=order,
        line=None,
        rate=None,
        staff_user=None,
    )
    # Per lot: what the source took, less what earlier returns gave back.
    net_by_lot: dict[int, int] = dict(
        PointsLotUse.objects.filter(Q(entry=source) | Q(returned_from=source))
        .values_list("lot_id")
        .annotate(net=Sum("points"))
    )
    lots = PointsLot.objects.select_for_update().filter(pk__in=net_by_lot)
    ordered = sorted(
        lots, key=lambda lot: (lot.expires_at is None, lot.expires_at or now), reverse=True
    )
    left = into_lots
    for lot in ordered:
        if left <= 0:
            break
        give = min(left, net_by_lot[lot.pk], lot.points - lot.remaining)
        if give <= 0:
            continue
        PointsLot.objects.filter(pk=lot.pk).update(remaining=F("remaining") + give)
        PointsLotUse.objects.create(entry=entry, lot=lot, points=-give, returned_from=source)
        left -= give
    if left > 0:
        # The source lots cannot hold it (cannot happen unless lots were
        # edited by hand): keep the invariant with a fresh lot.
        _new_lot(account, entry, left, now)
    change_totals_locked(account, balance=balance_change, debt=debt_change)
    return entry
