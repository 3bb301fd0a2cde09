"""The daily jobs as one django-tasks task, for a store that schedules tasks instead of cron."""

from __future__ import annotations

from django_tasks import task

from oscar_loyalty import daily


@task()
def run_daily_jobs(only: list[str] | None = None) -> dict:
    """Run every daily job (or those in ``only``) in order; ``{name: result}``.

    Each job is isolated; when any failed, the task fails after all have run
    (each failure is logged with its traceback by ``oscar_loyalty.daily``).
    """
    outcomes = daily.run(only)
    failed = [outcome.name for outcome in outcomes if not outcome.ok]
    if failed:
        raise daily.DailyJobsFailed(failed)
    return {outcome.name: outcome.result for outcome in outcomes}
