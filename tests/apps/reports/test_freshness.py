"""The report figures refresh on their own: a stale page queues one refresh for the worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from oscar_loyalty import daily
from oscar_loyalty.apps.reports import freshness
from oscar_loyalty.apps.reports.models import FigureRefresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client):
    from django.contrib.auth.models import Permission
    from oscar.test.factories import UserFactory

    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(
            codename="view_dailyfigure", content_type__app_label="loyalty_reports"
        )
    )
    client.force_login(user)
    return user


DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def worker(settings):
    """A task backend that keeps what is queued (a real store's db_worker would run it)."""
    settings.TASKS = DUMMY
    cache.delete(freshness.QUEUED_KEY)
    default_task_backend.clear()
    yield default_task_backend
    cache.delete(freshness.QUEUED_KEY)


def queued(backend) -> list[str]:
    return [result.task.name for result in backend.results]


def refreshed(minutes_ago: int) -> FigureRefresh:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return FigureRefresh.objects.create(started_at=at, finished_at=at)


def test_the_nightly_run_refreshes_the_figures():
    assert "reports.figures" in [job.name for job in daily.jobs()]


def test_opening_a_report_with_old_figures_queues_one_refresh(
    client, analyst, worker, django_capture_on_commit_callbacks
):
    refreshed(minutes_ago=90)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(reverse("loyalty_dashboard:loyalty-reports-index")).content.decode()
        client.get(reverse("loyalty_dashboard:loyalty-reports-detail", kwargs={"key": "points"}))
    assert 'id="loyalty-report-refresh-queued"' in page
    assert queued(worker) == ["refresh_report_figures"]


def test_fresh_figures_queue_nothing(client, analyst, worker, django_capture_on_commit_callbacks):
    refreshed(minutes_ago=10)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(reverse("loyalty_dashboard:loyalty-reports-index")).content.decode()
    assert 'id="loyalty-report-refresh-queued"' not in page
    assert queued(worker) == []


def test_the_refresh_on_demand_can_be_turned_off(worker, settings):
    settings.OSCAR_LOYALTY_REPORTS_REFRESH_MINUTES = None
    assert not freshness.is_stale()
    assert not freshness.queue_refresh_if_stale()


def test_without_a_worker_a_page_never_runs_the_refresh_itself(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    cache.delete(freshness.QUEUED_KEY)
    assert freshness.is_stale()
    assert not freshness.queue_refresh_if_stale()
    assert not FigureRefresh.objects.exists()


def test_the_refresh_interval_is_checked_by_name(settings):
    from oscar_loyalty.apps.reports.checks import check_reports_settings

    assert check_reports_settings() == []
    settings.OSCAR_LOYALTY_REPORTS_REFRESH_MINUTES = None
    assert check_reports_settings() == []
    settings.OSCAR_LOYALTY_REPORTS_REFRESH_MINUTES = 0
    assert [e.id for e in check_reports_settings()] == ["oscar_loyalty.E_REPORTS_REFRESH_MINUTES"]
