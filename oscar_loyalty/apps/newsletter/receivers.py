"""ESP webhook events about our outbox messages, and the claim of a campaign's task."""

from __future__ import annotations

import logging

from django.db import transaction

from oscar_loyalty.receiving import may_raise, never_raises

from . import tracking

logger = logging.getLogger(__name__)


@may_raise(
    "a webhook that fails must answer 500 so the ESP retries it; the outbox update "
    "rolls back with the rest, so the retry is applied normally"
)
def on_tracking_event(sender, event, esp_name, **kwargs) -> None:
    tracking.apply_tracking_event(
        event_type=str(event.event_type),
        metadata=event.metadata,
        message_id=event.message_id,
        recipient=event.recipient,
    )


@never_raises
def on_task_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """``post_save`` of django-tasks-db's task row: a worker claimed a campaign's task.

    Runs inside the worker's claim transaction, so the follow-up commits with
    the claim or not at all. Never raises into the worker: a follow-up that
    cannot be queued is logged, and the claimed task still runs.
    """
    from .tasks import WATCHED

    if instance.status != "RUNNING" or instance.task_path not in WATCHED:
        return
    if update_fields is not None and "worker_ids" not in update_fields:
        return
    from .services import keep_watch

    try:
        with transaction.atomic():
            keep_watch(int(instance.args_kwargs["args"][0]), backend=instance.backend_name)
    except Exception:
        logger.exception("could not queue the follow-up of task %s", instance.pk)
