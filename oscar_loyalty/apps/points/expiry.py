"""Expiry: due lots expire in batches; members are reminded before it happens."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, F, Value, When
from django.utils import timezone

from oscar_loyalty import app_settings, signals
from oscar_loyalty.money import points_to_money

from .models import PointsAccount, PointsEntry, PointsLot, PointsLotUse
from .services import _now

# Rows per INSERT statement.
BULK_ROWS = 2000


def expire_points(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Expire every lot past its date: one ledger entry per account, ``batch_size`` accounts
    per transaction.

    Returns the points expired. Set-based: each batch locks its accounts in
    ascending order, then writes the ledger entries, the lot uses, the lots
    and the account totals with a handful of bulk statements, however many
    lots the batch holds. Memory stays flat: one batch at a time, walking
    the accounts in key order (so a re-run after a crash resumes cleanly).
    """
    now = _now(now)
    batch_size = batch_size or app_settings.POINTS_BATCH_SIZE
    expired = 0
    after = 0
    while True:
        account_ids = list(
            PointsLot.objects.filter(remaining__gt=0, expires_at__lte=now, account_id__gt=after)
            .values_list("account_id", flat=True)
            .distinct()
            .order_by("account_id")[:batch_size]
        )
        if not account_ids:
            return expired
        expired += _expire_accounts(account_ids, now=now)
        after = account_ids[-1]


def _reason(first, last) -> str:
    first, last = timezone.localtime(first), timezone.localtime(last)
    if first.date() == last.date():
        return f"Points earned on {first:%Y-%m-%d} expired"
    return f"Points earned from {first:%Y-%m-%d} to {last:%Y-%m-%d} expired"


def _expiry_key(account_id: int, now: datetime) -> str:
    # One entry per account per run. The batch commits the entry together with
    # the emptied lots, so a re-run finds nothing due and writes nothing; the
    # key only has to tell runs apart (and refuses a replay of the same run).
    return f"expire:{account_id}:{now.isoformat()}"


def _expire_accounts(account_ids: list[int], *, now: datetime) -> int:
    """Expire the due lots of these accounts: one ledger entry per account.

    The entry carries the sum of the account's due lots; one lot use per lot
    records what it took from each, so lots still add up (``remaining ==
    points - Sum(uses)``) and a later return finds its lot.
    """
    with transaction.atomic():
        # Fixed lock order (ascending keys), as every batch takes them.
        list(
            PointsAccount.objects.select_for_update()
            .filter(pk__in=account_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if connection.vendor == "postgresql":
            return _expire_locked_postgresql(account_ids, now=now)
        due = PointsLot.objects.filter(
            account_id__in=account_ids, remaining__gt=0, expires_at__lte=now
        )
        lots = list(
            due.select_for_update()
            .order_by("pk")
            .values_list("pk", "account_id", "remaining", "created_at")
        )
        if not lots:
            return 0
        by_account: dict[int, list[tuple]] = defaultdict(list)
        for lot in lots:
            by_account[lot[1]].append(lot)
        keys = {account_id: _expiry_key(account_id, now) for account_id in by_account}
        done = set(
            PointsEntry.objects.filter(idempotency_key__in=keys.values()).values_list(
                "idempotency_key", flat=True
            )
        )
        todo = {a: account_lots for a, account_lots in by_account.items() if keys[a] not in done}
        entries = PointsEntry.objects.bulk_create(
            [
                PointsEntry(
                    account_id=account_id,
                    kind=PointsEntry.EXPIRE,
                    points=-sum(lot[2] for lot in account_lots),
                    reason=_reason(
                        min(lot[3] for lot in account_lots), max(lot[3] for lot in account_lots)
                    ),
                    idempotency_key=keys[account_id],
                    created_at=now,
                )
                for account_id, account_lots in todo.items()
            ],
            batch_size=BULK_ROWS,
        )
        PointsLotUse.objects.bulk_create(
            [
                PointsLotUse(entry_id=entry.pk, lot_id=pk, points=remaining)
                for entry, account_lots in zip(entries, todo.values(), strict=True)
                for pk, _account, remaining, _created in account_lots
            ],
            batch_size=BULK_ROWS,
        )
        if len(todo) == len(by_account):
            due.update(remaining=0)
        else:
            PointsLot.objects.filter(
                pk__in=[lot[0] for account_lots in todo.values() for lot in account_lots]
            ).update(remaining=0)
        if todo:
            # The cached totals move with the entries, as change_totals_locked does.
            PointsAccount.objects.filter(pk__in=[e.account_id for e in entries]).update(
                balance=F("balance")
                + Case(
                    *(When(pk=e.account_id, then=Value(e.points)) for e in entries),
                    output_field=BigIntegerField(),
                ),
                updated_at=timezone.now(),
            )
        _announce_expiries([entry.pk for entry in entries])
        return -sum(e.points for e in entries)


_EXPIRE_SQL = """
WITH due AS (
    SELECT lot.id, lot.account_id, lot.remaining, lot.created_at
    FROM {lot} lot
    WHERE lot.account_id = ANY(%(accounts)s) AND lot.remaining > 0 AND lot.expires_at <= %(now)s
    FOR UPDATE OF lot
),
totals AS (
    SELECT account_id, SUM(remaining) AS total,
           to_char(MIN(created_at) AT TIME ZONE %(tz)s, 'YYYY-MM-DD') AS first,
           to_char(MAX(created_at) AT TIME ZONE %(tz)s, 'YYYY-MM-DD') AS last
    FROM due GROUP BY account_id
),
entries AS (
    INSERT INTO {entry} (account_id, kind, points, debt, reason, idempotency_key, created_at)
    SELECT account_id, %(kind)s, -total, 0,
           CASE WHEN first = last THEN 'Points earned on ' || first || ' expired'
                ELSE 'Points earned from ' || first || ' to ' || last || ' expired' END,
           'expire:' || account_id || ':' || %(stamp)s, %(now)s
    FROM totals
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, account_id, points
),
uses AS (
    INSERT INTO {lot_use} (entry_id, lot_id, points)
    SELECT entries.id, due.id, due.remaining FROM entries JOIN due USING (account_id)
    RETURNING lot_id
),
emptied AS (
    UPDATE {lot} SET remaining = 0 WHERE id IN (SELECT lot_id FROM uses) RETURNING id
)
UPDATE {account} account SET balance = account.balance + entries.points, updated_at = %(updated)s
FROM entries WHERE account.id = entries.account_id
RETURNING -entries.points, entries.id
"""


def _expire_locked_postgresql(account_ids: list[int], *, now: datetime) -> int:
    """The same writes as the portable path, as one statement run by the database.

    Same entries (reason, key, date), lot uses, emptied lots and totals; an
    account whose key exists already is left alone, as the portable path does.
    """
    sql = _EXPIRE_SQL.format(
        lot=PointsLot._meta.db_table,
        lot_use=PointsLotUse._meta.db_table,
        entry=PointsEntry._meta.db_table,
        account=PointsAccount._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "accounts": list(account_ids),
                "now": now,
                "stamp": now.isoformat(),
                "kind": PointsEntry.EXPIRE,
                "tz": timezone.get_current_timezone_name(),
                "updated": timezone.now(),
            },
        )
        rows = cursor.fetchall()
    _announce_expiries([row[1] for row in rows])
    return sum(row[0] for row in rows)


def _announce_expiries(entry_ids: list[int]) -> None:
    """``points_expired`` for each entry this run wrote (queried only for a listener)."""
    if not entry_ids or not signals.listened(signals.points_expired):
        return
    for entry in PointsEntry.objects.select_related("account__member").filter(pk__in=entry_ids):
        signals.send_on_commit(
            signals.points_expired, sender=PointsEntry, member=entry.account.member, entry=entry
        )


def send_expiry_reminders(*, now: datetime | None = None) -> int:
    """Email members whose points expire within the reminder window, once per lot."""
    from oscar_loyalty.notices import send_member_notice

    days = app_settings.POINTS_EXPIRY_REMINDER_DAYS
    if not days:
        return 0
    now = _now(now)
    due = PointsLot.objects.filter(
        remaining__gt=0,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=days),
        reminder_sent_at__isnull=True,
    )
    sent = 0
    for account_id in due.values_list("account_id", flat=True).distinct().order_by("account_id"):
        with transaction.atomic():
            account = (
                # of=("self",): lock the account only; the user join may be empty.
                PointsAccount.objects.select_for_update(of=("self",))
                .select_related("member__user")
                .get(pk=account_id)
            )
            lots = list(due.filter(account=account).select_for_update())
            if not lots or not account.member.user_id:
                continue
            # Marked before sending: a crash after the commit loses one
            # reminder rather than sending it twice.
            PointsLot.objects.filter(pk__in=[lot.pk for lot in lots]).update(reminder_sent_at=now)
            points = sum(lot.remaining for lot in lots)
            context = {
                "points": points,
                "value": points_to_money(points),
                "expires_at": min(lot.expires_at for lot in lots),
                "balance": account.balance,
            }
            member = account.member
            # Each lot is reminded once, so its first lot names the reminder.
            key = f"points_expiring:{min(lot.pk for lot in lots)}"
            transaction.on_commit(
                lambda m=member, c=context, k=key: send_member_notice(
                    m, notice_type="points_expiring", context=c, key=k
                )
            )
            sent += 1
    return sent
