"""A worker killed at every instant of a send, found by the test rather than listed by hand.

Every SQL statement a send runs is counted (``connection.execute_wrapper``);
the run is then repeated with a ``BaseException`` raised just before the
1st, 2nd, … statement. Each commit point lies between two statements (an
autocommitted statement is its own commit, a transaction commits before the
next statement), and so does the ESP call, so this is a kill between any two
commits and at every point inside a transaction too: work not yet committed
rolls back, as the database discards a killed connection's transaction. No
``except Exception`` catches the exception, as none catches a SIGKILL.

After each kill, recovery is what a restarted worker does past the lease.
Every recipient must have the newsletter, duplicates at most one batch per kill.
"""

import random
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.db import connection
from django.utils import timezone

from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from tests.apps.newsletter.conftest import make_member

pytestmark = pytest.mark.django_db

BATCH = 2
MEMBERS = [f"m{n}@example.com" for n in range(5)]  # three batches, the last one short
LATER = timedelta(seconds=601)  # past the default 600 s lease
SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class WorkerKilled(BaseException):
    pass


@contextmanager
def killed_before_statement(k: int | None):
    """Count the statements run inside; raise ``WorkerKilled`` before the ``k``-th."""
    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):
        # Savepoints are the test transaction's bookkeeping (each is at the
        # same instant as the statement before or after it).
        if not sql.lstrip().upper().startswith(SAVEPOINTS):
            seen.append(sql)
            if len(seen) == k:
                raise WorkerKilled(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


@pytest.fixture
def members(newsletter, settings):
    settings.OSCAR_LOYALTY_ESP_BATCH_LIMITS = {"test": BATCH}
    return [make_member(email) for email in MEMBERS]


def new_campaign(newsletter, now) -> Campaign:
    campaign = Campaign.objects.create(name="Crash", newsletter=newsletter)
    fanout.fan_out(campaign, now=now)
    return campaign


def received(mailoutbox, campaign) -> Counter:
    """What the ESP accepted for ``campaign``: messages per address."""
    return Counter(
        address
        for message in mailoutbox
        for address in message.to
        if message.merge_metadata[address]["campaign"] == str(campaign.pk)
    )


def esp_reports(mailoutbox, campaign) -> None:
    """The ESP's webhook: one "delivered" event per accepted message, with our metadata."""
    for message in mailoutbox:
        for address in message.to:
            meta = message.merge_metadata[address]
            if meta["campaign"] == str(campaign.pk):
                event = AnymailTrackingEvent(
                    event_type="delivered", recipient=address, metadata=meta, event_id=None
                )
                tracking.send(sender=object(), event=event, esp_name="Test")


def statements_of_a_send(newsletter, now) -> int:
    campaign = new_campaign(newsletter, now)
    with killed_before_statement(None) as seen:
        sending.process_campaign(campaign.pk, now=now)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.DONE
    return len(seen)


def assert_recovered(campaign, counts: Counter, *, kills: int, confirmed: bool) -> None:
    campaign.refresh_from_db()
    assert campaign.status == Campaign.DONE
    assert set(campaign.messages.values_list("status", flat=True)) == {OutboxMessage.SENT}
    assert set(counts) == set(MEMBERS), "a recipient was lost"
    extra = sum(counts.values()) - len(MEMBERS)
    assert extra <= (0 if confirmed else kills * BATCH), counts


@pytest.mark.parametrize("confirmed", [False, True], ids=["no-events", "esp-events"])
def test_a_worker_killed_before_any_statement_of_a_send_loses_no_message(
    members, newsletter, mailoutbox, confirmed
):
    now = timezone.now()
    total = statements_of_a_send(newsletter, now)
    assert total > 20  # claims, marks, records of three batches
    for k in range(1, total + 1):
        campaign = new_campaign(newsletter, now)
        with pytest.raises(WorkerKilled), killed_before_statement(k):
            sending.process_campaign(campaign.pk, now=now)
        if confirmed:  # the ESP's events arrive within the lease
            esp_reports(mailoutbox, campaign)
        # Restarted past the lease, the worker finishes the campaign in one run.
        sending.process_campaign(campaign.pk, now=now + LATER)
        assert_recovered(campaign, received(mailoutbox, campaign), kills=1, confirmed=confirmed)


def test_a_worker_killed_twice_at_random_statements_loses_no_message(
    members, newsletter, mailoutbox
):
    """The recovery itself killed too: at most one batch duplicated per kill."""
    now = timezone.now()
    total = statements_of_a_send(newsletter, now)
    rng = random.Random(17)
    for _ in range(25):
        campaign = new_campaign(newsletter, now)
        with pytest.raises(WorkerKilled), killed_before_statement(rng.randint(1, total)):
            sending.process_campaign(campaign.pk, now=now)
        kills = 1
        with killed_before_statement(rng.randint(1, total)):
            try:
                sending.process_campaign(campaign.pk, now=now + LATER)
            except WorkerKilled:
                kills += 1
        sending.process_campaign(campaign.pk, now=now + 2 * LATER)
        assert_recovered(campaign, received(mailoutbox, campaign), kills=kills, confirmed=False)
