"""Background tasks (django-tasks): the daily points jobs, for stores with a worker.

``oscar_loyalty.tasks.run_daily_jobs`` runs every app's daily jobs; this task
runs the points ones only (the ``points.*`` jobs of ``oscar_loyalty.daily``),
for schedules written before it.
"""

from django_tasks import task

from oscar_loyalty import daily


@task()
def run_daily_points_jobs() -> dict[str, int]:
    """Catch up lost order work, mature, expire, release reservations, remind, birthday bonuses."""
    outcomes = daily.run(["points"])
    failed = [outcome.name for outcome in outcomes if not outcome.ok]
    if failed:
        raise daily.DailyJobsFailed(failed)
    done = {outcome.name: outcome.result for outcome in outcomes}
    return {
        **done["points.catch_up"],
        "matured": done["points.mature"],
        "expired_points": done["points.expire"],
        "released": done["points.release_reservations"],
        "reminders": done["points.expiry_reminders"],
        "birthday_bonuses": done["points.birthday_bonuses"],
    }
