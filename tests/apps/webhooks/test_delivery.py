"""Delivery to a real receiver process: signatures, dedup, kills, order, retries, pausing."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from oscar_loyalty.apps.membership.services import join_club
from oscar_loyalty.apps.webhooks import delivery, services
from oscar_loyalty.apps.webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event
from tests.factories import MemberFactory

from .helpers import drain, join_events, make_endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick(settings):
    """Retries due at once (the schedule itself is tested below), small batches."""
    settings.OSCAR_LOYALTY_WEBHOOKS_RETRY_SECONDS = (0, 0)
    settings.OSCAR_LOYALTY_WEBHOOKS_BATCH_SIZE = 4
    settings.OSCAR_LOYALTY_WEBHOOKS_MAX_ATTEMPTS = 50
    settings.OSCAR_LOYALTY_WEBHOOKS_PAUSE_AFTER = 100
    settings.OSCAR_LOYALTY_WEBHOOKS_TIMEOUT = 10
    return settings


def test_every_event_arrives_once_after_dedup_with_the_receiver_killed_and_restarted(
    receivers, monkeypatch
):
    receiver = receivers()
    endpoint = make_endpoint(receiver.url)
    # Dies right after logging its 6th request, before answering: the sender must retry.
    receiver.start(endpoint.secret, die_after=6)
    made = join_events([MemberFactory() for _ in range(8)], rounds=3)
    batches = []

    def checkpoint(name):
        if name == "claimed":
            batches.append(name)
            if len(batches) == 4:
                receiver.kill()  # killed by us during delivery, between claim and send
        elif name == "sent" and (receiver.process is None or receiver.process.poll() is not None):
            receiver.kill()
            receiver.start()  # same port, same secret, no planned death this time

    monkeypatch.setattr(delivery, "checkpoint", checkpoint)
    drain(endpoint)
    assert sorted(receiver.unique_ids()) == sorted(event.webhook_id for event in made)
    assert receiver.rows("duplicate"), "the unanswered request was sent again"
    assert not receiver.rows("bad")
    assert Delivery.objects.filter(status=Delivery.DELIVERED).count() == len(made)
    # Each duplicate was deduplicated by the event id, which is also the webhook-id header.
    assert all(row["id"] == row["header_id"] for row in receiver.rows())


def test_a_members_events_arrive_in_order_even_when_an_attempt_fails(receivers):
    receiver = receivers()
    endpoint = make_endpoint(receiver.url)
    receiver.start(endpoint.secret, fail_first=3)  # the first three requests get 503
    members = [MemberFactory() for _ in range(4)]
    made = join_events(members, rounds=5)
    drain(endpoint)
    order_of = {event.webhook_id: event.pk for event in made}
    for member in members:
        seen = [row["id"] for row in receiver.rows("new") if row["member"] == member.number]
        assert len(seen) == 5
        assert seen == sorted(seen, key=order_of.get)
    assert len(receiver.rows("refused")) == 3


def test_a_delivery_given_up_lets_the_members_next_event_go(receivers, settings):
    settings.OSCAR_LOYALTY_WEBHOOKS_MAX_ATTEMPTS = 2
    receiver = receivers()
    endpoint = make_endpoint(receiver.url)
    receiver.start(endpoint.secret, fail_first=2)
    first, second = join_events([MemberFactory()], rounds=2)
    drain(endpoint)
    assert Delivery.objects.get(event=first).status == Delivery.FAILED
    assert Delivery.objects.get(event=second).status == Delivery.DELIVERED
    assert receiver.unique_ids() == [second.webhook_id]


def test_the_retry_delay_doubles_up_to_the_cap_with_seeded_jitter(settings):
    settings.OSCAR_LOYALTY_WEBHOOKS_RETRY_SECONDS = (30, 600)
    delays = [delivery.retry_delay(n, rng=random.Random(7)).total_seconds() for n in range(1, 8)]
    steps = [30, 60, 120, 240, 480, 600, 600]
    assert all(step / 2 <= d <= step for d, step in zip(delays, steps, strict=True))
    again = [delivery.retry_delay(n, rng=random.Random(7)).total_seconds() for n in range(1, 8)]
    assert delays == again
    assert len({delivery.retry_delay(3).total_seconds() for _ in range(20)}) > 1  # jitter


def test_a_failed_attempt_is_logged_and_retried_after_the_backoff(settings):
    settings.OSCAR_LOYALTY_WEBHOOKS_RETRY_SECONDS = (30, 600)
    endpoint = make_endpoint("http://127.0.0.1:9/hooks")
    (event,) = join_events([MemberFactory()])
    now = timezone.now()
    token = delivery.claim(endpoint.pk, size=10, now=now)
    row = Delivery.objects.select_related("event").get(claim_token=token)
    outcome = delivery.Outcome(503, 12, "HTTP 503")
    assert delivery.record(endpoint, row, outcome, token=token, now=now) == Delivery.PENDING
    row.refresh_from_db()
    assert row.attempts == 1 and row.last_status_code == 503
    assert now + timedelta(seconds=15) <= row.next_attempt_at <= now + timedelta(seconds=30)
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.number, attempt.status_code, attempt.duration_ms) == (1, 503, 12)
    assert delivery.claim(endpoint.pk, size=10, now=now + timedelta(seconds=14)) is None
    assert delivery.claim(endpoint.pk, size=10, now=now + timedelta(seconds=31)) is not None


def test_an_endpoint_failing_again_and_again_is_paused_staff_are_told_and_resume_works(
    receivers, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.OSCAR_LOYALTY_WEBHOOKS_PAUSE_AFTER = 3
    settings.MANAGERS = [("Ops", "ops@example.com")]
    receiver = receivers()
    endpoint = make_endpoint(receiver.url, name="ERP")
    receiver.start(endpoint.secret, status=500)
    made = join_events([MemberFactory() for _ in range(2)], rounds=2)
    with django_capture_on_commit_callbacks(execute=True):
        drain(endpoint)
    endpoint.refresh_from_db()
    # Paused by the batch that reached 3 (two members' requests go side by side).
    assert endpoint.status == Endpoint.PAUSED and endpoint.consecutive_failures in (3, 4)
    assert [mail.to for mail in mailoutbox] == [["ops@example.com"]]
    assert "ERP" in mailoutbox[0].subject
    assert not Delivery.objects.filter(status=Delivery.FAILED).exists()  # waiting, not lost
    refused = len(receiver.rows("refused"))
    delivery.deliver_endpoint(endpoint.pk)  # a paused endpoint is not called
    assert len(receiver.rows("refused")) == refused == endpoint.consecutive_failures

    receiver.kill()
    receiver.start()  # fixed: answers 200 now
    assert services.unpause_endpoint(endpoint)
    drain(endpoint)
    assert sorted(receiver.unique_ids()) == sorted(e.webhook_id for e in made)


def test_a_manual_resend_goes_through_the_queue_and_the_receiver_dedups_it(receivers):
    receiver = receivers()
    endpoint = make_endpoint(receiver.url)
    receiver.start(endpoint.secret)
    (event,) = join_events([MemberFactory()])
    drain(endpoint)
    sent = Delivery.objects.get()
    assert services.resend(sent)
    sent.refresh_from_db()
    assert sent.status == Delivery.PENDING
    drain(endpoint)
    assert [row["kind"] for row in receiver.rows()] == ["new", "duplicate"]
    assert DeliveryAttempt.objects.filter(delivery=sent).count() == 2


def test_during_a_rotation_both_secrets_verify_and_after_it_only_the_new_one():
    endpoint = make_endpoint("http://127.0.0.1:9/hooks")
    old = endpoint.secret
    (event,) = join_events([MemberFactory()])
    now = timezone.now()
    endpoint = services.rotate_secret(endpoint, now=now)
    body = delivery.body_of(event)
    headers = delivery.signed_headers(endpoint, event, body, now=now)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, endpoint.secret):
        assert Webhook(secret).verify(body, headers)["id"] == event.webhook_id
    later = endpoint.previous_secret_until + timedelta(seconds=1)
    headers = delivery.signed_headers(endpoint, event, body, now=later)
    assert len(headers["webhook-signature"].split(" ")) == 1
    # Verified as of ``later`` (the library checks the timestamp against its clock).
    expected = Webhook(endpoint.secret).sign(event.webhook_id, later, body)
    assert headers["webhook-signature"] == expected
    assert Webhook(old).sign(event.webhook_id, later, body) != expected


def test_a_receiver_still_on_the_old_secret_accepts_deliveries_during_a_rotation(receivers):
    receiver = receivers()
    endpoint = make_endpoint(receiver.url)
    receiver.start(endpoint.secret)  # knows only the secret before the rotation
    services.rotate_secret(endpoint)
    made = join_events([MemberFactory()], rounds=2)
    drain(endpoint)
    assert sorted(receiver.unique_ids()) == sorted(e.webhook_id for e in made)


def test_an_event_committed_before_a_crash_is_delivered_by_the_sweep(receivers, free_plan):
    from oscar.test.factories import UserFactory

    receiver = receivers()
    endpoint = make_endpoint(receiver.url, "member.joined")
    receiver.start(endpoint.secret)
    # The test's transaction never commits: the after-commit kick never runs, as
    # when the process dies right after the commit.
    member = join_club(UserFactory(), plan=free_plan)
    assert receiver.rows() == []
    assert delivery.deliver_due() == {"released": 0, "endpoints": 1}
    assert receiver.unique_ids() == [Event.objects.get().webhook_id]
    assert receiver.rows()[0]["member"] == member.number


def test_a_worker_killed_after_claiming_leaves_deliveries_that_go_after_the_lease(
    receivers, monkeypatch
):
    receiver = receivers()
    endpoint = make_endpoint(receiver.url)
    receiver.start(endpoint.secret)
    made = join_events([MemberFactory() for _ in range(3)])

    class Killed(BaseException):
        pass

    def die(name):
        if name == "claimed":
            raise Killed

    monkeypatch.setattr(delivery, "checkpoint", die)
    with pytest.raises(Killed):
        delivery.deliver_endpoint(endpoint.pk)
    monkeypatch.setattr(delivery, "checkpoint", lambda name: None)
    assert delivery.deliver_endpoint(endpoint.pk) == {}  # still leased: nobody else sends
    assert delivery.release_stale(now=timezone.now() + timedelta(hours=1)) == 3
    drain(endpoint)
    assert sorted(receiver.unique_ids()) == sorted(e.webhook_id for e in made)
    assert not receiver.rows("duplicate")


def test_a_dead_endpoint_does_not_hold_back_another(receivers):
    receiver = receivers()
    dead = make_endpoint("http://127.0.0.1:9/hooks", name="Dead")
    alive = make_endpoint(receiver.url, name="Alive")
    receiver.start(alive.secret)
    made = join_events([MemberFactory() for _ in range(3)], rounds=2)
    delivery.deliver_endpoint(dead.pk, max_batches=1)
    drain(alive)
    assert sorted(receiver.unique_ids()) == sorted(e.webhook_id for e in made)
    assert Delivery.objects.filter(endpoint=dead, status=Delivery.PENDING).count() == 6


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(receivers, settings):
    settings.OSCAR_LOYALTY_WEBHOOKS_MAX_ATTEMPTS = 1
    receiver = receivers()
    endpoint = make_endpoint(receiver.url)
    receiver.start(endpoint.secret, status=302)
    join_events([MemberFactory()])
    delivery.deliver_endpoint(endpoint.pk)
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code == 302 and not attempt.ok
    assert Delivery.objects.get().status == Delivery.FAILED


def test_a_slow_endpoint_hands_its_backlog_to_a_new_task_after_its_turn(receivers, settings):
    from django_tasks_db.models import DBTaskResult

    # The sandbox's queue: a worker runs one task at a time, in the order enqueued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.OSCAR_LOYALTY_WEBHOOKS_BATCH_SIZE = 2
    receiver = receivers()
    slow = make_endpoint(receiver.url, name="Slow")
    receiver.start(slow.secret)
    join_events([MemberFactory() for _ in range(6)])
    # A turn of no time at all: one batch, then the rest waits behind other tasks.
    counts = delivery.deliver_endpoint(slow.pk, turn_seconds=0)
    assert sum(counts.values()) == 2
    assert Delivery.objects.filter(endpoint=slow, status=Delivery.PENDING).count() == 4
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_endpoint")
    assert [row.args_kwargs["args"] for row in queued] == [[slow.pk]]
    # Its next turns deliver the rest, each event once.
    drain(slow)
    assert len(receiver.unique_ids()) == 6 and not receiver.rows("duplicate")
