"""The points app's part of a data export and an erasure (see ``apps.privacy``).

Erasure keeps the whole ledger, so balances and the accounting totals do not
move. The only personal data it may hold is a staff adjustment's free-text
reason, which is redacted through ``apps.privacy.redaction``.
"""

from __future__ import annotations

from oscar_loyalty.apps.privacy import registry
from oscar_loyalty.apps.privacy.redaction import redact
from oscar_loyalty.apps.privacy.serialise import row, rows

from .models import PointsAccount, PointsEarning, PointsEntry, PointsLot, PointsRedemption

#: What an erased adjustment's reason becomes.
ERASED_REASON = "[erased]"


def export_points(subject) -> dict | None:
    account = (
        PointsAccount.objects.filter(member=subject.member).first() if subject.member else None
    )
    if account is None:
        return None
    earnings = []
    for earning in PointsEarning.objects.filter(account=account).prefetch_related("lines"):
        data = row(earning)
        data["lines"] = rows(earning.lines.all())
        earnings.append(data)
    return {
        "account": row(account),
        "entries": rows(PointsEntry.objects.filter(account=account), exclude=("staff_user",)),
        "lots": rows(PointsLot.objects.filter(account=account)),
        "earnings": earnings,
        "redemptions": rows(PointsRedemption.objects.filter(account=account)),
    }


def erase_points(subject) -> int:
    if subject.member is None:
        return 0
    adjustments = PointsEntry.objects.filter(
        account__member=subject.member, kind=PointsEntry.ADJUST
    ).exclude(reason=ERASED_REASON)
    return redact(adjustments, reason=ERASED_REASON)


registry.register_section("points", exporter=export_points, eraser=erase_points)
