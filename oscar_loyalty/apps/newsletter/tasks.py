"""Background tasks (django-tasks). Arguments are ids: they must be JSON-serialisable.

With the database backend, claiming either task queues a follow-up
(``services.keep_watch``), so a worker killed mid-send is resumed by the next
worker to run, without cron (docs/operations.md).
"""

from __future__ import annotations

from django_tasks import task

from . import services

#: The tasks whose claim queues a follow-up (``receivers.on_task_saved``).
WATCHED = {
    "oscar_loyalty.apps.newsletter.tasks.process_campaign",
    "oscar_loyalty.apps.newsletter.tasks.start_campaign",
}


@task()
def process_campaign(campaign_id: int) -> dict:
    """Send a queued campaign (start it first if scheduled and due); any number may run at once."""
    return services.resume_campaign(campaign_id)


@task()
def start_campaign(campaign_id: int) -> dict:
    """A scheduled campaign whose time has come: fan out, then send."""
    return services.resume_campaign(campaign_id)


@task()
def process_notices() -> dict:
    """Send the member notices due by SMS and WhatsApp (``notices``); any number may run."""
    from . import notices

    return notices.process_notices()
