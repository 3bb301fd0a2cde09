"""Keep the precomputed figures fresh without anyone running a command.

Two ways, both documented in docs/reports.md and docs/operations.md:

* the schedule: the daily run (``loyalty_daily``, task ``run_daily_jobs``)
  refreshes them every night, and an hourly ``loyalty_daily --only
  reports.figures`` (or the task ``refresh_report_figures``) keeps them
  within the hour;
* on demand: staff opening a report whose figures are older than
  ``OSCAR_LOYALTY_REPORTS_REFRESH_MINUTES`` queue one incremental refresh
  for the task worker, so a store whose scheduler stopped (or a sandbox
  that never had one) still catches up. A cache key makes that one refresh
  per interval however many reports are opened; the refresh itself is
  idempotent, so a second one queued by another server changes nothing.
  Not with django-tasks' immediate backend (no worker): the refresh would
  run inside the page's request, and a first, full one takes seconds to
  minutes on a large store; there the schedule alone refreshes them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from oscar_loyalty import app_settings

from .models import FigureRefresh

QUEUED_KEY = "oscar_loyalty:reports:refresh-queued"


def last_refresh() -> FigureRefresh | None:
    """The latest finished refresh (the figures are as of its end)."""
    return FigureRefresh.objects.filter(finished_at__isnull=False).first()


def is_stale(*, now: datetime | None = None) -> bool:
    """Whether the figures are older than ``REPORTS_REFRESH_MINUTES`` (or never computed)."""
    minutes = app_settings.REPORTS_REFRESH_MINUTES
    if minutes is None:
        return False
    last = last_refresh()
    now = now or timezone.now()
    return last is None or last.finished_at < now - timedelta(minutes=minutes)


def queue_refresh_if_stale(*, now: datetime | None = None) -> bool:
    """Queue one incremental refresh task when the figures are stale; ``True`` if queued."""
    from django_tasks.backends.immediate import ImmediateBackend

    from .tasks import refresh_report_figures

    if isinstance(refresh_report_figures.get_backend(), ImmediateBackend):
        return False
    if not is_stale(now=now):
        return False
    minutes = app_settings.REPORTS_REFRESH_MINUTES
    if not cache.add(QUEUED_KEY, 1, timeout=int(minutes * 60)):
        return False  # already queued in this interval
    # After the request's transaction: a worker must not start before it commits.
    transaction.on_commit(refresh_report_figures.enqueue)
    return True
