"""The points ledger: accounts, balances, credits, debits, lots and staff adjustments.

Every change runs in ``transaction.atomic()`` with the account row locked
(``select_for_update``), validates inside the lock, and writes one ledger
entry under a unique idempotency key together with the cached totals.
Earning, spending, reversal, bonuses and expiry (their own modules) build
on the locked helpers here: ``credit_locked``, ``debit_locked``,
``return_to_lots_locked`` and ``change_totals_locked``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import FilteredRelation, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from oscar_loyalty.exceptions import (
    InvalidPointsAmount,
    PointsError,
)
from oscar_loyalty.money import points_to_money

# The ledger primitives live in ``ledger``; re-exported because earning,
# spending and reversal call them as ``services.credit_locked`` and so on.
from .ledger import (  # noqa: F401
    change_totals_locked,
    credit_locked,
    debit_locked,
    expiry_for,
    return_to_lots_locked,
)
from .models import (
    PointsAccount,
    PointsEntry,
    PointsRedemption,
)

MAX_POINTS = 10**12  # far above any real balance; stops overflow and typos


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def validate_points(points, *, allow_negative: bool = False) -> int:
    """A whole number of points, or ``InvalidPointsAmount`` with a clear message."""
    if isinstance(points, bool) or not isinstance(points, int):
        raise InvalidPointsAmount(_("Points must be a whole number."))
    if points == 0 or (points < 0 and not allow_negative):
        raise InvalidPointsAmount(
            _("Enter a number of points other than zero.")
            if allow_negative
            else _("Enter a positive number of points.")
        )
    if abs(points) > MAX_POINTS:
        raise InvalidPointsAmount(_("That number of points is too large."))
    return points


# Reading ---------------------------------------------------------------------


@dataclass(frozen=True)
class PointsSummary:
    """What a shopper or the basket page needs, read in one query."""

    balance: int = 0
    pending: int = 0
    debt: int = 0
    reserved: int = 0
    member_id: int | None = None

    @property
    def available(self) -> int:
        return max(self.balance - self.reserved, 0)

    @property
    def value(self):
        return points_to_money(max(self.balance, 0))

    @property
    def available_value(self):
        return points_to_money(self.available)


def _reserved_subquery(now: datetime):
    live = PointsRedemption.objects.filter(PointsRedemption.held_q(now), account=OuterRef("pk"))
    return Coalesce(
        Subquery(
            live.values("account")
            .annotate(total=Sum(PointsRedemption.held_points()))
            .values("total")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def get_summary(user, *, now: datetime | None = None) -> PointsSummary:
    """Balance, pending, debt and live reservations of ``user``'s account: one query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return PointsSummary()
    row = (
        PointsAccount.objects.filter(member__user=user)
        .annotate(reserved=_reserved_subquery(_now(now)))
        .values("balance", "pending", "debt", "reserved", "member_id")
        .first()
    )
    return PointsSummary(**row) if row else PointsSummary()


def summary_for_request(request, *, now: datetime | None = None) -> PointsSummary:
    """``get_summary`` for the request's shopper, from the club context when loaded (no query)."""
    from oscar_loyalty.club import context_for_request

    context = context_for_request(request)
    if context is None:
        return get_summary(getattr(request, "user", None), now=now)
    account = context.account
    if account is None:
        return PointsSummary()
    return PointsSummary(
        balance=account.balance,
        pending=account.pending,
        debt=account.debt,
        reserved=context.reserved,
        member_id=account.member_id,
    )


@dataclass(frozen=True)
class PointsOverview:
    """The summary and the points still to expire, by day (soonest first)."""

    summary: PointsSummary
    expiring: list[tuple[date, int]]


def get_overview(user, *, now: datetime | None = None) -> PointsOverview:
    """``get_summary`` plus the live lots' remaining points by expiry day: one query.

    The lots join the account with their conditions in the join itself
    (``FilteredRelation``), so an account without live lots still gives its
    one row (day ``None``). Days are in the current time zone.
    """
    now = _now(now)
    if user is None or not getattr(user, "is_authenticated", False):
        return PointsOverview(PointsSummary(), [])
    rows = list(
        PointsAccount.objects.filter(member__user=user)
        .annotate(
            live=FilteredRelation(
                "lots", condition=Q(lots__remaining__gt=0, lots__expires_at__gt=now)
            ),
            reserved=_reserved_subquery(now),
        )
        .values(
            "balance",
            "pending",
            "debt",
            "reserved",
            "member_id",
            day=TruncDate("live__expires_at"),
        )
        .annotate(points=Sum("live__remaining"))
        .order_by("day")
    )
    if not rows:
        return PointsOverview(PointsSummary(), [])
    first = rows[0]
    summary = PointsSummary(
        **{name: first[name] for name in ("balance", "pending", "debt", "reserved", "member_id")}
    )
    expiring = [(row["day"], int(row["points"])) for row in rows if row["day"] and row["points"]]
    return PointsOverview(summary, expiring)


def next_expiry(account: PointsAccount, *, now: datetime | None = None):
    """``(date, points)`` of the next lots to expire, or ``None``."""
    now = _now(now)
    lots = account.lots.filter(remaining__gt=0, expires_at__gt=now)
    first = lots.order_by("expires_at").values_list("expires_at", flat=True).first()
    if first is None:
        return None
    return first, lots.filter(expires_at=first).aggregate(total=Sum("remaining"))["total"]


# Accounts --------------------------------------------------------------------


def get_account(member) -> PointsAccount:
    """The member's account, created on first use."""
    account = PointsAccount.objects.filter(member=member).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return PointsAccount.objects.create(member=member)
    except IntegrityError:
        # Two first uses raced; the one-to-one column let one through.
        return PointsAccount.objects.get(member=member)


def lock_account(member) -> PointsAccount:
    """Lock the member's account row for the rest of the transaction (created if needed)."""
    account = PointsAccount.objects.select_for_update().filter(member=member).first()
    if account is None:
        account = get_account(member)
        account = PointsAccount.objects.select_for_update().get(pk=account.pk)
    return account


# Staff adjustments and bonuses -----------------------------------------------


def adjust_points(
    member,
    points: int,
    *,
    reason: str,
    staff_user,
    key: str | None = None,
    now: datetime | None = None,
) -> PointsEntry:
    """A staff correction: positive adds a lot, negative takes from the balance.

    A reason is required; taking more than the balance is refused.
    """
    now = _now(now)
    validate_points(points, allow_negative=True)
    reason = (reason or "").strip()
    if not reason:
        raise PointsError(_("Give a reason for the adjustment."))
    key = key or f"adjust:{member.pk}:{uuid.uuid4().hex}"
    with transaction.atomic():
        account = lock_account(member)
        if points > 0:
            return credit_locked(
                account,
                points,
                kind=PointsEntry.ADJUST,
                reason=reason,
                key=key,
                now=now,
                staff_user=staff_user,
            )
        return debit_locked(
            account,
            -points,
            kind=PointsEntry.ADJUST,
            reason=reason,
            key=key,
            now=now,
            staff_user=staff_user,
        )


def entries_for(member):
    """The member's ledger, newest first, for history pages."""
    return PointsEntry.objects.filter(account__member=member).select_related("order")
