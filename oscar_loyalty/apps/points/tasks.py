"""Background tasks (django-tasks): the daily points jobs, for stores with a worker.

Without a worker, the management commands do the same from cron.
"""

from django_tasks import task

from . import bonuses, earning, expiry, redemption


@task()
def run_daily_points_jobs() -> dict[str, int]:
    """Settle lost captures, mature, expire, release reservations, remind, birthday bonuses."""
    return {
        "settled": redemption.settle_captured_redemptions(),
        "matured": earning.mature_due_earnings(),
        "expired_points": expiry.expire_points(),
        "released": redemption.release_expired_reservations(),
        "reminders": expiry.send_expiry_reminders(),
        "birthday_bonuses": bonuses.award_birthday_bonuses(),
    }
