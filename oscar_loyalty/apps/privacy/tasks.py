"""Background task (django-tasks): the daily retention run, for stores with a worker.

Without a worker, ``manage.py loyalty_apply_retention`` does the same from cron.
"""

from django_tasks import task

from . import retention


@task()
def apply_retention() -> dict[str, int]:
    """Delete tracking data past its retention period (``OSCAR_LOYALTY_PRIVACY_*_DAYS``)."""
    return retention.apply_retention()
