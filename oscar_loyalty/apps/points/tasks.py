"""Background tasks (django-tasks): the daily points jobs, for stores with a worker.

Without a worker, the management commands do the same from cron.
"""

from django_tasks import task

from . import bonuses, catchup, earning, expiry, redemption


@task()
def run_daily_points_jobs() -> dict[str, int]:
    """Catch up lost order work, mature, expire, release reservations, remind, birthday bonuses."""
    caught_up = catchup.catch_up()
    return {
        "settled": caught_up.captures_settled,
        "orders_redone": caught_up.orders_redone,
        "reversals_redone": caught_up.reversals,
        "matured": earning.mature_due_earnings(),
        "expired_points": expiry.expire_points(),
        "released": redemption.release_expired_reservations(),
        "reminders": expiry.send_expiry_reminders(),
        "birthday_bonuses": bonuses.award_birthday_bonuses(),
    }
