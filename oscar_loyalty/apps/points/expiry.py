"""Expiry: due lots expire in batches; members are reminded before it happens."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from oscar_loyalty import app_settings
from oscar_loyalty.money import points_to_money

from .models import PointsAccount, PointsEntry, PointsLot, PointsLotUse
from .services import _now, change_totals_locked


def expire_points(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Expire every lot past its date, one account per transaction. Returns points expired."""
    now = _now(now)
    batch_size = batch_size or app_settings.POINTS_BATCH_SIZE
    expired = 0
    while True:
        account_ids = list(
            PointsLot.objects.filter(remaining__gt=0, expires_at__lte=now)
            .values_list("account_id", flat=True)
            .distinct()
            .order_by("account_id")[:batch_size]
        )
        if not account_ids:
            return expired
        for account_id in account_ids:
            expired += _expire_account(account_id, now=now)


def _expire_account(account_id: int, *, now: datetime) -> int:
    total = 0
    with transaction.atomic():
        account = PointsAccount.objects.select_for_update().get(pk=account_id)
        lots = account.lots.select_for_update().filter(remaining__gt=0, expires_at__lte=now)
        for lot in lots:
            # One entry per lot: the key makes a re-run after a crash safe,
            # and a lot refilled by a return gets a new key.
            key = f"expire:{lot.pk}:{lot.uses.count()}"
            if PointsEntry.objects.filter(idempotency_key=key).exists():
                continue
            entry = PointsEntry.objects.create(
                account=account,
                kind=PointsEntry.EXPIRE,
                points=-lot.remaining,
                reason=f"Points earned on {timezone.localtime(lot.created_at):%Y-%m-%d} expired",
                idempotency_key=key,
                created_at=now,
            )
            PointsLotUse.objects.create(entry=entry, lot=lot, points=lot.remaining)
            PointsLot.objects.filter(pk=lot.pk).update(remaining=0)
            change_totals_locked(account, balance=-lot.remaining)
            total += lot.remaining
    return total


def send_expiry_reminders(*, now: datetime | None = None) -> int:
    """Email members whose points expire within the reminder window, once per lot."""
    from oscar_loyalty.mail import send_member_email

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
            transaction.on_commit(
                lambda m=member, c=context: send_member_email(
                    m, email_type="points_expiring", context=c
                )
            )
            sent += 1
    return sent
