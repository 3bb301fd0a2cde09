"""Background task (django-tasks) for stores with a worker; without one, cron runs
``manage.py loyalty_birthdays`` daily instead."""

from django_tasks import task

from . import gifts


@task()
def issue_birthday_gifts() -> int:
    """Issue the birthday gifts due today."""
    return gifts.issue_birthday_gifts()
