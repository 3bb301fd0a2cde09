"""A worker killed mid-chunk, simulated deterministically on any database.

``sending.checkpoint`` is called at each step of a chunk; the test makes it
raise a ``BaseException`` (which no ``except Exception`` catches, like a
SIGKILL) at the chosen step. Work not yet committed is rolled back, exactly
as the database discards a killed connection's transaction.
"""

from datetime import timedelta

import pytest
from anymail.exceptions import AnymailAPIError
from anymail.signals import AnymailTrackingEvent, tracking
from django.utils import timezone

from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from tests.apps.newsletter.conftest import make_member

pytestmark = pytest.mark.django_db

LATER = timedelta(seconds=601)  # past the default 600 s lease


class WorkerKilled(BaseException):
    pass


@pytest.fixture
def queued(campaign, settings):
    settings.OSCAR_LOYALTY_ESP_BATCH_LIMITS = {"test": 2}
    for n in range(4):
        make_member(f"m{n}@example.com")
    fanout.fan_out(campaign)
    return campaign


def kill_at(monkeypatch, step):
    state = {"armed": True}

    def checkpoint(name):
        if name == step and state["armed"]:
            state["armed"] = False
            raise WorkerKilled(step)

    monkeypatch.setattr(sending, "checkpoint", checkpoint)


def deliveries(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def confirm_by_webhook(mailoutbox):
    """The ESP reports what it accepted: one event per recipient, with our metadata."""
    for message in mailoutbox:
        for address, meta in message.anymail_test_params["merge_metadata"].items():
            tracking.send(
                sender=object(),
                event=AnymailTrackingEvent(
                    event_type="delivered", recipient=address, metadata=meta, event_id=address
                ),
                esp_name="Test",
            )


def test_killed_between_claim_and_send_each_message_is_delivered_exactly_once(
    queued, monkeypatch, mailoutbox
):
    kill_at(monkeypatch, "claimed")
    with pytest.raises(WorkerKilled):
        sending.process_campaign(queued.pk)
    assert mailoutbox == []
    assert OutboxMessage.objects.filter(status=OutboxMessage.CLAIMED).count() == 2

    # A restart within the lease leaves the dead worker's chunk alone ...
    sending.process_campaign(queued.pk)
    assert deliveries(mailoutbox) == ["m2@example.com", "m3@example.com"]
    # ... and after the lease it is sent, once.
    sending.process_campaign(queued.pk, now=timezone.now() + LATER)
    assert deliveries(mailoutbox) == [f"m{n}@example.com" for n in range(4)]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.SENT}
    assert Campaign.objects.get().status == Campaign.DONE


def test_killed_after_the_esp_accepted_a_batch_its_events_confirm_it_and_nothing_is_resent(
    queued, monkeypatch, mailoutbox
):
    kill_at(monkeypatch, "sent")
    with pytest.raises(WorkerKilled):
        sending.process_campaign(queued.pk)
    assert deliveries(mailoutbox) == ["m0@example.com", "m1@example.com"]
    assert OutboxMessage.objects.filter(status=OutboxMessage.SENDING).count() == 2

    confirm_by_webhook(mailoutbox)  # the ESP's events arrive within the lease
    sending.process_campaign(queued.pk, now=timezone.now() + LATER)
    assert deliveries(mailoutbox) == [f"m{n}@example.com" for n in range(4)]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.SENT}
    assert Campaign.objects.get().status == Campaign.DONE


def test_killed_after_the_esp_accepted_a_batch_without_events_it_is_resent_once_after_the_lease(
    queued, monkeypatch, mailoutbox
):
    """The documented duplicate: the one batch the dead worker did not live to record."""
    kill_at(monkeypatch, "sent")
    with pytest.raises(WorkerKilled):
        sending.process_campaign(queued.pk)
    sending.process_campaign(queued.pk)  # within the lease: the dead worker's batch waits
    assert Campaign.objects.get().status == Campaign.QUEUED
    assert OutboxMessage.objects.filter(status=OutboxMessage.SENDING).count() == 2

    sending.process_campaign(queued.pk, now=timezone.now() + LATER)
    sent = deliveries(mailoutbox)
    assert sent == sorted(
        [*(f"m{n}@example.com" for n in range(4)), "m0@example.com", "m1@example.com"]
    )
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.SENT}
    assert Campaign.objects.get().status == Campaign.DONE


def test_killed_after_marking_sending_before_the_esp_call_the_chunk_is_sent_after_the_lease(
    queued, monkeypatch, mailoutbox
):
    """Was lost before: ``sending`` rows were never sent again, and the campaign said done."""
    kill_at(monkeypatch, "sending")
    with pytest.raises(WorkerKilled):
        sending.process_campaign(queued.pk)
    sending.process_campaign(queued.pk)
    assert deliveries(mailoutbox) == ["m2@example.com", "m3@example.com"]
    assert Campaign.objects.get().status == Campaign.QUEUED  # two rows are unresolved

    sending.process_campaign(queued.pk, now=timezone.now() + LATER)
    assert deliveries(mailoutbox) == [f"m{n}@example.com" for n in range(4)]
    assert queued.progress()["sent"] == 4
    assert Campaign.objects.get().status == Campaign.DONE


def withdraw_at(monkeypatch, step, email):
    from oscar_loyalty.apps.consent import services as consent
    from oscar_loyalty.apps.consent.models import ConsentRecord

    def checkpoint(name):
        if name == step:
            user = OutboxMessage.objects.get(user__email=email).user
            consent.withdraw_consent(user, source=ConsentRecord.SOURCE_ONE_CLICK)

    monkeypatch.setattr(sending, "checkpoint", checkpoint)


@pytest.mark.parametrize("step", ["claimed", "sending"])
def test_a_withdrawal_committed_while_the_batch_was_built_is_honoured(
    queued, monkeypatch, mailoutbox, step
):
    withdraw_at(monkeypatch, step, "m1@example.com")
    sending.process_campaign(queued.pk)
    assert deliveries(mailoutbox) == ["m0@example.com", "m2@example.com", "m3@example.com"]
    assert all("m1@example.com" not in m.anymail_test_params["merge_data"] for m in mailoutbox)
    assert OutboxMessage.objects.get(user__email="m1@example.com").status == OutboxMessage.SKIPPED
    assert Campaign.objects.get().status == Campaign.DONE


@pytest.fixture
def esp_answers(monkeypatch):
    """Make the (test) ESP answer the next batch calls with the given errors."""
    answers = []
    original = sending.build_message

    def build(*args, **kwargs):
        message = original(*args, **kwargs)
        if answers:
            message.anymail_test_response = answers.pop(0)
        return message

    monkeypatch.setattr(sending, "build_message", build)
    return answers


def test_a_transient_esp_error_is_retried_with_backoff(queued, esp_answers, mailoutbox):
    esp_answers.append(AnymailAPIError("Service unavailable", status_code=503))
    now = timezone.now()
    sending.process_campaign(queued.pk, now=now, max_chunks=1)
    retry = OutboxMessage.objects.filter(status=OutboxMessage.PENDING, attempts=1)
    assert retry.count() == 2
    assert all(r.next_attempt_at >= now + timedelta(seconds=60) for r in retry)

    sending.process_campaign(queued.pk, now=now + timedelta(seconds=1))
    assert OutboxMessage.objects.filter(status=OutboxMessage.PENDING).count() == 2
    sending.process_campaign(queued.pk, now=now + timedelta(seconds=61))
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.SENT}
    # The refused call is in the test outbox too; the ESP sent nothing for it.
    assert len(mailoutbox) == 3


def test_a_permanent_esp_error_fails_the_chunk_without_retrying(queued, esp_answers):
    esp_answers.append(AnymailAPIError("Bad request", status_code=400))
    sending.process_campaign(queued.pk, max_chunks=1)
    assert OutboxMessage.objects.filter(status=OutboxMessage.FAILED).count() == 2


def test_an_error_without_an_answer_is_resent_after_the_lease_and_left_to_staff_at_the_end(
    queued, esp_answers, mailoutbox, settings
):
    settings.OSCAR_LOYALTY_NEWSLETTER_MAX_ATTEMPTS = 2
    esp_answers.append(AnymailAPIError("Connection reset"))
    sending.process_campaign(queued.pk, max_chunks=1)
    assert OutboxMessage.objects.filter(status=OutboxMessage.SENDING).count() == 2
    sending.process_campaign(queued.pk, now=timezone.now() + LATER, max_chunks=1)
    assert OutboxMessage.objects.filter(status=OutboxMessage.SENDING, attempts=1).count() == 0
    assert OutboxMessage.objects.filter(status=OutboxMessage.SENT).count() == 2

    esp_answers.append(AnymailAPIError("Connection reset"))
    sending.process_campaign(queued.pk, now=timezone.now() + LATER)
    later = timezone.now() + 3 * LATER
    esp_answers.append(AnymailAPIError("Connection reset"))  # the second, last attempt
    sending.process_campaign(queued.pk, now=later)
    assert queued.progress()["unknown"] == 2 and queued.progress()["sent"] == 2
    assert Campaign.objects.get().status == Campaign.DONE


def test_an_address_written_without_save_does_not_carry_the_consent_to_the_send(
    queued, mailoutbox
):
    """The send-time gate binds consent to its address, as ``has_consent`` does:
    an address changed by ``QuerySet.update`` (no signal, no new opt-in) gets nothing."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(email="m2@example.com").update(email="taken@example.com")
    sending.process_campaign(queued.pk)
    assert deliveries(mailoutbox) == ["m0@example.com", "m1@example.com", "m3@example.com"]
    skipped = OutboxMessage.objects.get(user__email="taken@example.com")
    assert skipped.status == OutboxMessage.SKIPPED
    assert Campaign.objects.get().status == Campaign.DONE
