"""The scale-out path: django-tasks on RQ with the local Redis (skipped without Redis)."""

import pytest

from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from tests.apps.newsletter.conftest import make_member

pytestmark = pytest.mark.django_db

REDIS = {"HOST": "127.0.0.1", "PORT": 6379, "DB": 15}


@pytest.fixture
def rq_settings(settings):
    redis = pytest.importorskip("redis")
    pytest.importorskip("django_tasks_rq")
    try:
        redis.Redis(host=REDIS["HOST"], port=REDIS["PORT"], socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379; the RQ path cannot be tested")
    settings.RQ_QUEUES = {"default": REDIS}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    import django_rq

    queue = django_rq.get_queue("default")
    queue.empty()
    yield settings
    queue.empty()


def test_a_campaign_queued_on_rq_is_sent_by_a_worker_burst(
    campaign, rq_settings, send_now, mailoutbox
):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    make_member("dana@example.com")
    send_now(campaign)  # enqueues to Redis after commit instead of sending inline
    queue = django_rq.get_queue("default")
    ours = [job for job in queue.jobs if job.func_name.endswith("tasks.process_campaign")]
    assert len(ours) == 1 and tuple(ours[0].args) == (campaign.pk,) and mailoutbox == []

    worker = django_rq.get_worker("default", job_class=Job, worker_class=SimpleWorker)
    worker.work(burst=True)

    assert [m.to for m in mailoutbox] == [["dana@example.com"]]
    assert OutboxMessage.objects.get().status == OutboxMessage.SENT
    assert Campaign.objects.get().status == Campaign.DONE
