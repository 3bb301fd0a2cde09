"""Real worker processes sending an SMS and WhatsApp campaign, SIGKILLed at random instants.

The SMS twin of ``test_random_kills.py``: the same worker module, on the same
database (PostgreSQL with ``DATABASE_URL``, else the SQLite test file); the
"provider" is ``sms_log.FileLogBackend``, which appends every accepted batch
to a file and fsyncs it before answering, so the file is what each number
received however the worker died. Instants are chosen without reference to
the machine's speed: before the k-th SQL statement of the worker (k random
within a measured run), or by this process when the provider's log reaches a
random number of accepted batches (plus a random share of one batch's
observed cycle). The seed (``LOYALTY_KILL_SEED``, 17 by default) and the
instants are printed, so a failure can be replayed.

Every consenting number must have its SMS (and WhatsApp message) at least
once, duplicates at most one batch (2 here) per kill, and nothing may reach
a number without consent on that channel.
"""

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import Suppression
from oscar_loyalty.apps.newsletter import fanout, services
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from oscar_loyalty.phones import number_hash
from tests.apps.newsletter.conftest import make_member
from tests.apps.newsletter.sms_log import read_log
from tests.apps.newsletter.test_channels import texter
from tests.apps.newsletter.test_random_kills import database_url, finish

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[3]
BATCH = 2
STEP = 661  # seconds: past the 600 s lease and the 60 s follow-up
SEED = int(os.environ.get("LOYALTY_KILL_SEED") or 17)

SMS = {f"+97252765430{n}" for n in range(7)}  # seven numbers: four batches, the last short
WHATSAPP = {"+972527654300", "+972527654301", "+972527654302", "+972527654399"}


def start(log: Path, *args: str, kill_at: int = 0, now_offset: int = 0, kill_after: int = 0):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.apps.newsletter.worker_settings",
        "DATABASE_URL": database_url(),
        "LOYALTY_ESP_LOG": str(log.with_suffix(".esp")),
        "LOYALTY_SMS_LOG": str(log),
        "KILL_AT_STATEMENT": str(kill_at),
        "NOW_OFFSET": str(now_offset),
        "LOYALTY_SMS_KILL_AFTER": str(kill_after),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.apps.newsletter.worker", *args],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def received(log: Path) -> Counter:
    return Counter((b["channel"], to) for b in read_log(log) for to in b["to"])


@pytest.fixture
def audience(settings):
    """Who may get what: numbers with consent on each channel, and four who may not."""
    database_url()  # skips where a worker process cannot share the database
    settings.OSCAR_LOYALTY_QUIET_HOURS = None
    settings.OSCAR_LOYALTY_QUIET_SHABBAT = False
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2000-01-01"]
    for n, number in enumerate(sorted(SMS)):
        both = number in WHATSAPP
        texter(f"s{n}@example.com", number, channels=("sms", "whatsapp") if both else ("sms",))
    texter("w@example.com", "+972527654399", channels=("whatsapp",))
    make_member("email-only@example.com", phone="+972527654390")  # email consent, no SMS
    gone = texter("withdrew@example.com", "+972527654391")
    consent.withdraw_consent(gone.user, channel="sms", source="sms_reply")
    texter("suppressed@example.com", "+972527654392")
    Suppression.objects.create(
        email_hash=number_hash("+972527654392", "sms"),
        scope=Suppression.MARKETING,
        reason=Suppression.HARD_BOUNCE,
    )
    return {("sms", n) for n in SMS} | {("whatsapp", n) for n in WHATSAPP}


def make_campaign(newsletter, name="Sale"):
    return Campaign.objects.create(
        name=name, newsletter=newsletter, channels=["sms", "whatsapp"],
        sms_text="Sale for {first_name}!", whatsapp_template="autumn_sale",
    )  # fmt: skip


def assert_each_consenting_number_at_least_once_within_the_bound(campaign, expected, log, kills):
    got = received(log)
    assert set(got) == expected, f"lost: {expected - set(got)}, unwanted: {set(got) - expected}"
    assert sum(got.values()) - len(expected) <= kills * BATCH, got
    campaign.refresh_from_db()
    assert campaign.status == Campaign.DONE
    assert set(campaign.messages.values_list("status", flat=True)) == {OutboxMessage.SENT}


def test_an_sms_campaign_on_the_db_worker_killed_at_random_statements_loses_no_message(
    newsletter, audience, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # How many statements an unkilled worker runs for such a campaign (on a twin).
    with django_capture_on_commit_callbacks(execute=True):
        services.send_campaign(make_campaign(newsletter, "Twin"))
    code, total, err = finish(start(tmp_path / "twin.log"))
    assert code == 0 and total > 30, err[-2000:]
    assert set(received(tmp_path / "twin.log")) == audience

    campaign = make_campaign(newsletter)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_campaign(campaign)
    log, rng, kills, offset = tmp_path / "sms.log", random.Random(SEED), 0, 0
    instants = [rng.randint(1, total // 3) for _ in range(3)]
    print(f"seed {SEED}: SIGKILL before statements {instants} of about {total}")
    for kill_at in instants:
        code, _ran, err = finish(start(log, kill_at=kill_at, now_offset=offset))
        assert code in (0, -signal.SIGKILL), err[-2000:]
        kills += code == -signal.SIGKILL
        offset += STEP
    code, _ran, err = finish(start(log, now_offset=offset))  # the restarted deployment
    assert code == 0, err[-2000:]
    assert kills >= 2, f"seed {SEED}, instants {instants}"  # each within a run's first third
    assert_each_consenting_number_at_least_once_within_the_bound(campaign, audience, log, kills)


def test_an_sms_worker_killed_from_outside_as_batches_are_accepted_loses_nothing(
    newsletter, audience, tmp_path
):
    """SIGKILL from this process after a random number of accepted batches: any real instant."""
    campaign = make_campaign(newsletter)
    fanout.fan_out(campaign)
    log, rng, kills, offset, instants = tmp_path / "sms.log", random.Random(SEED), 0, 0, []
    for _ in range(3):
        if Campaign.objects.get(pk=campaign.pk).status == Campaign.DONE:
            break
        # Progress, not time: the provider's log reaching a random count of batches.
        target = len(read_log(log)) + rng.randint(1, 2)
        share = rng.random()
        instants.append((target, round(share, 2)))
        proc = start(log, "--campaign", str(campaign.pk), now_offset=offset)
        deadline = time.monotonic() + 120  # a hung worker, not a speed assumption
        accepted_at, seen, cycle = None, len(read_log(log)), None
        while proc.poll() is None and time.monotonic() < deadline:
            now, batches = time.monotonic(), len(read_log(log))
            if batches != seen:  # a batch accepted: the worker's observed rhythm
                cycle = now - accepted_at if accepted_at is not None else None
                accepted_at, seen = now, batches
            if batches >= target:
                # A random share of one cycle later: anywhere in the next batch.
                time.sleep(share * (cycle or 0))
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
        code, _ran, err = finish(proc)
        assert code in (0, -signal.SIGKILL), err[-2000:]
        kills += code == -signal.SIGKILL
        offset += STEP
    print(f"seed {SEED}: SIGKILL at (batches accepted, share of a cycle) {instants}")
    code, _ran, err = finish(start(log, "--campaign", str(campaign.pk), now_offset=offset))
    assert code == 0, err[-2000:]
    assert kills >= 1, f"seed {SEED}, instants {instants}"
    assert_each_consenting_number_at_least_once_within_the_bound(campaign, audience, log, kills)


def test_the_batch_a_killed_sms_worker_handed_over_is_resent_after_its_lease_to_consenters_only(
    newsletter, audience, tmp_path
):
    """Killed right after the provider accepted its 2nd batch (the worst instant)."""
    campaign = make_campaign(newsletter)
    fanout.fan_out(campaign)
    log = tmp_path / "sms.log"
    code, _ran, err = finish(start(log, "--campaign", str(campaign.pk), kill_after=2))
    assert code == -signal.SIGKILL, err[-2000:]
    dead = read_log(log)[-1]
    assert OutboxMessage.objects.filter(status=OutboxMessage.SENDING).count() == BATCH
    # One of the dead batch's numbers replies "הסר" before anything is resent.
    refuser = dead["to"][0]
    member = OutboxMessage.objects.get(pk=dead["refs"][0]).user
    consent.withdraw_consent(member, channel=dead["channel"], source="sms_reply")

    # 61 s later: the dead worker's lease still holds its batch; the rest goes out.
    code, _ran, err = finish(start(log, "--campaign", str(campaign.pk), now_offset=61))
    assert code == 0, err[-2000:]
    assert set(received(log)) == audience and sum(received(log).values()) == len(audience)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.QUEUED

    code, _ran, err = finish(start(log, "--campaign", str(campaign.pk), now_offset=STEP))
    assert code == 0, err[-2000:]
    got = received(log)
    twice = {key for key, n in got.items() if n > 1}
    assert twice == {(dead["channel"], to) for to in dead["to"][1:]}  # not the refuser's
    assert got[(dead["channel"], refuser)] == 1
    statuses = Counter(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == {OutboxMessage.SENT: len(audience) - 1, OutboxMessage.SKIPPED: 1}
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.DONE
