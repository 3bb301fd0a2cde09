"""Background task (django-tasks) for stores with a worker; without one, cron runs
``manage.py loyalty_refresh_member_stats`` daily instead."""

from django_tasks import task

from . import services


@task()
def refresh_member_stats() -> int:
    """Recompute ``MemberStats`` (orders, spend, RFM quintiles) for every member."""
    return services.refresh_member_stats()
