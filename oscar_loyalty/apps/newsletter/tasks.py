"""Background tasks (django-tasks). Arguments are ids: they must be JSON-serialisable."""

from __future__ import annotations

from django_tasks import task

from . import sending


@task()
def process_campaign(campaign_id: int) -> dict:
    """Send a queued campaign; any number of these may run at once."""
    return sending.process_campaign(campaign_id)


@task()
def start_campaign(campaign_id: int) -> dict:
    """A scheduled campaign whose time has come: fan out, then send."""
    from .services import start_scheduled

    return start_scheduled(campaign_id)
