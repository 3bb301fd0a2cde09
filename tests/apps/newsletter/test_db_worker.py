"""The default background path: django-tasks' database backend and its worker command."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from oscar_loyalty.apps.newsletter import services
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from tests.apps.newsletter.conftest import make_member
from tests.apps.newsletter.test_every_crash_point import WorkerKilled, killed_before_statement

pytestmark = pytest.mark.django_db

ON_THE_DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK = "oscar_loyalty.apps.newsletter.tasks.process_campaign"


# Transactional: the worker closes and reopens database connections, as in production.
# serialized_rollback restores rows created by data migrations after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_send_now_queues_a_task_that_the_db_worker_runs(campaign, settings, send_now, mailoutbox):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_member("dana@example.com")
    send_now(campaign)
    assert mailoutbox == []  # nothing sent in the request
    task = DBTaskResult.objects.get(task_path__endswith="tasks.process_campaign")
    assert task.args_kwargs["args"] == [campaign.pk]

    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)

    assert [m.to for m in mailoutbox] == [["dana@example.com"]]
    assert OutboxMessage.objects.get().status == OutboxMessage.SENT


def test_a_task_for_a_deleted_campaign_does_nothing(campaign):
    from oscar_loyalty.apps.newsletter.tasks import process_campaign

    campaign_id = campaign.pk
    campaign.delete()
    assert process_campaign.call(campaign_id)["sent"] == 0


def test_claiming_a_campaign_task_queues_its_follow_up_in_the_same_transaction(campaign, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = ON_THE_DATABASE
    make_member("dana@example.com")
    services.send_campaign(campaign)
    ours = DBTaskResult.objects.filter(task_path=TASK)
    task = ours.get()
    with pytest.raises(WorkerKilled), transaction.atomic():
        task.claim("killed-before-commit")
        raise WorkerKilled()
    assert list(ours.values_list("status", flat=True)) == ["READY"]

    before = timezone.now()
    task.refresh_from_db()
    task.claim("worker-1")
    follow_up = ours.exclude(pk=task.pk).get()
    assert (follow_up.status, follow_up.task_path) == ("READY", TASK)
    assert follow_up.args_kwargs["args"] == [campaign.pk]
    assert (
        before + timedelta(seconds=60)
        <= follow_up.run_after
        <= timezone.now() + timedelta(seconds=60)
    )

    # Once the campaign is done, a claim queues nothing more: the chain ends.
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.DONE)
    follow_up.claim("worker-2")
    assert ours.count() == 2


def test_a_request_killed_at_any_statement_leaves_no_queued_campaign_without_a_task(
    campaign, settings, django_capture_on_commit_callbacks
):
    """The campaign and its task row commit together (was: the task came after the commit)."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = ON_THE_DATABASE
    make_member("dana@example.com")
    k = 0
    while True:
        k += 1
        attempt = Campaign.objects.create(name=f"Try {k}", newsletter=campaign.newsletter)
        try:
            with killed_before_statement(k), django_capture_on_commit_callbacks(execute=True):
                services.send_campaign(attempt)
        except WorkerKilled:
            killed = True
        else:
            killed = False
        attempt.refresh_from_db()
        tasks = DBTaskResult.objects.filter(args_kwargs__args=[attempt.pk], status="READY")
        if attempt.status == Campaign.DRAFT:
            assert killed and not tasks.exists() and not attempt.messages.exists()
        else:
            assert attempt.status == Campaign.QUEUED and tasks.count() == 1, k
        if not killed:
            break
    assert k > 5
