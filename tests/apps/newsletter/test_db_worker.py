"""The default background path: django-tasks' database backend and its worker command."""

import pytest
from django.core.management import call_command

from oscar_loyalty.apps.newsletter.models import OutboxMessage
from tests.apps.newsletter.conftest import make_member

pytestmark = pytest.mark.django_db


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
