"""The points app's daily jobs (``oscar_loyalty.daily``): catch-up first, then upkeep."""

from __future__ import annotations

from oscar_loyalty import daily

from . import bonuses, catchup, earning, expiry, redemption


@daily.register("points.catch_up", order=10)
def catch_up(*, days: int = 14) -> dict[str, int]:
    """Redo the order work a crash or a lost task skipped (debits, earnings, reversals)."""
    # First of all jobs: a lost order task's debit must land before expiry reads the lots.
    done = catchup.catch_up(days=days)
    return {
        "settled": done.captures_settled,
        "orders_redone": done.orders_redone,
        "reversals_redone": done.reversals,
    }


@daily.register("points.mature", order=60)
def mature(*, batch_size: int | None = None) -> int:
    """Make pending points spendable once the return window has passed."""
    return earning.mature_due_earnings(batch_size=batch_size)


@daily.register("points.expire", order=70)
def expire(*, batch_size: int | None = None) -> int:
    """Expire points past their date, in batches."""
    return expiry.expire_points(batch_size=batch_size)


@daily.register("points.release_reservations", order=80)
def release_reservations() -> int:
    """Release basket reservations of points that have gone stale."""
    return redemption.release_expired_reservations()


@daily.register("points.expiry_reminders", order=90)
def expiry_reminders() -> int:
    """Email members whose points expire soon."""
    return expiry.send_expiry_reminders()


@daily.register("points.birthday_bonuses", order=100)
def birthday_bonuses() -> int:
    """Award the birthday bonus to members whose birthday is today (if configured)."""
    return bonuses.award_birthday_bonuses()
