"""Real worker processes killed with SIGKILL at random instants, several times per campaign.

The default deployment is ``db_worker`` on the database task queue; the
processes here are that command (or one ``process_campaign`` run) on the test
database (PostgreSQL with ``DATABASE_URL``, else the SQLite test file). Their
"ESP" appends every accepted batch to a file, so the file is what each
recipient received. Instants are chosen without reference to the machine's
speed: before the k-th SQL statement of the worker (k random within a
measured run), or by this process when the ESP log passes a random size
(plus a random share of a batch's observed cycle). Whatever the instant, the
assertions hold; timing only decides where the kill lands.

A restart runs with its clock past the dead worker's lease and follow-up.
Every recipient must have the newsletter; duplicates at most one batch
(2 messages here) per kill.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from oscar_loyalty.apps.newsletter import services
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from tests.apps.newsletter.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[3]
BATCH = 2
MEMBERS = 9  # five batches, the last one short
STEP = 661  # seconds: past the 600 s lease and the 60 s follow-up
SEED = int(os.environ.get("LOYALTY_KILL_SEED") or 17)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        if db["NAME"].startswith(("file:", ":memory:")):
            pytest.skip("an in-memory SQLite database cannot be shared with a worker process")
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"
    pytest.skip(f"no worker subprocess recipe for {connection.vendor}")


def start(
    log: Path, *args: str, kill_at: int = 0, now_offset: int = 0, esp_kill_after: int = 0
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.apps.newsletter.worker_settings",
        "DATABASE_URL": database_url(),
        "LOYALTY_ESP_LOG": str(log),
        "KILL_AT_STATEMENT": str(kill_at),
        "NOW_OFFSET": str(now_offset),
        "LOYALTY_ESP_KILL_AFTER": str(esp_kill_after),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.apps.newsletter.worker", *args],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(proc: subprocess.Popen) -> tuple[int, int, str]:
    """Wait for a worker; returns (return code, statements it ran, stderr)."""
    out, err = proc.communicate(timeout=300)
    counts = [int(line.split()[1]) for line in out.splitlines() if line.startswith("STATEMENTS")]
    return proc.returncode, (counts[0] if counts else 0), err


def received(log: Path) -> Counter:
    if not log.exists():
        return Counter()
    return Counter(a for line in log.read_text().splitlines() for a in json.loads(line)["to"])


@pytest.fixture
def audience(campaign, settings):
    database_url()  # skips where a worker process cannot share the database
    settings.OSCAR_LOYALTY_ESP_BATCH_LIMITS = {"test": BATCH}
    return {make_member(f"r{n}@example.com").user.email for n in range(MEMBERS)}


def queue_on_the_database(campaign, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        services.send_campaign(campaign)


def assert_every_recipient_once_or_within_the_bound(campaign, audience, log, kills):
    got = received(log)
    assert set(got) == audience, f"lost: {audience - set(got)}"
    assert sum(got.values()) - len(audience) <= kills * BATCH, got
    campaign.refresh_from_db()
    assert campaign.status == Campaign.DONE
    assert set(campaign.messages.values_list("status", flat=True)) == {OutboxMessage.SENT}


def test_the_db_worker_killed_at_random_instants_resumes_on_restart_and_loses_nothing(
    campaign, audience, settings, tmp_path, django_capture_on_commit_callbacks
):
    """A killed worker's task row stays "running"; the follow-up queued at its claim resumes."""
    from django_tasks_db.models import DBTaskResult

    # How many statements an unkilled worker runs for such a campaign (on a twin).
    twin = Campaign.objects.create(name="Twin", newsletter=campaign.newsletter)
    queue_on_the_database(twin, settings, django_capture_on_commit_callbacks)
    code, total, err = finish(start(tmp_path / "twin.log"))
    assert code == 0 and total > 30, err[-2000:]
    assert sum(received(tmp_path / "twin.log").values()) == MEMBERS

    queue_on_the_database(campaign, settings, django_capture_on_commit_callbacks)
    log, rng, kills, offset = tmp_path / "esp.log", random.Random(SEED), 0, 0
    for _ in range(3):
        code, _ran, err = finish(start(log, kill_at=rng.randint(1, total // 3), now_offset=offset))
        assert code in (0, -signal.SIGKILL), err[-2000:]
        kills += code == -signal.SIGKILL
        offset += STEP
    stuck = DBTaskResult.objects.filter(status="RUNNING").count()
    code, _ran, err = finish(start(log, now_offset=offset))  # the restarted deployment
    assert code == 0, err[-2000:]
    assert_every_recipient_once_or_within_the_bound(campaign, audience, log, kills)
    assert kills >= 2  # each instant within the first third of a run: before its end
    # The dead workers' task rows still say "running": recovery never needed them.
    assert DBTaskResult.objects.filter(status="RUNNING").count() == stuck


def test_a_sending_worker_killed_from_outside_at_random_progress_loses_nothing(
    campaign, audience, tmp_path
):
    """SIGKILL from this process when the ESP log passes a random size: any real instant."""
    from oscar_loyalty.apps.newsletter import fanout

    fanout.fan_out(campaign)
    log, rng, kills, offset = tmp_path / "esp.log", random.Random(SEED), 0, 0
    line = len(json.dumps({"to": ["r0@example.com"] * BATCH}))  # about one batch
    for _ in range(3):
        if Campaign.objects.get(pk=campaign.pk).status == Campaign.DONE:
            break
        size = (log.stat().st_size if log.exists() else 0) + rng.randint(1, line)
        proc = start(log, "--campaign", str(campaign.pk), now_offset=offset)
        deadline = time.monotonic() + 120  # a hung worker, not a speed assumption
        grew_at, seen, cycle = None, log.stat().st_size if log.exists() else 0, None
        while proc.poll() is None and time.monotonic() < deadline:
            now, current = time.monotonic(), log.stat().st_size if log.exists() else 0
            if current != seen:  # a batch accepted: the worker's observed rhythm
                cycle = now - grew_at if grew_at is not None else None
                grew_at, seen = now, current
            if current >= size:
                # A random share of one cycle later: anywhere in the next batch.
                time.sleep(rng.uniform(0, cycle or 0))
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
        code, _ran, err = finish(proc)
        assert code in (0, -signal.SIGKILL), err[-2000:]
        kills += code == -signal.SIGKILL
        offset += STEP
    code, _ran, err = finish(start(log, "--campaign", str(campaign.pk), now_offset=offset))
    assert code == 0, err[-2000:]
    assert kills >= 1
    assert_every_recipient_once_or_within_the_bound(campaign, audience, log, kills)


@pytest.mark.parametrize("confirmed", [False, True], ids=["no-events", "esp-events"])
def test_a_restarted_db_worker_resumes_at_the_follow_up_and_the_dead_batch_after_its_lease(
    campaign, audience, settings, tmp_path, django_capture_on_commit_callbacks, confirmed
):
    """Killed right after the ESP accepted its 2nd batch (the worst instant)."""
    from anymail.signals import AnymailTrackingEvent, tracking

    queue_on_the_database(campaign, settings, django_capture_on_commit_callbacks)
    log = tmp_path / "esp.log"
    code, _ran, err = finish(start(log, esp_kill_after=2))
    assert code == -signal.SIGKILL, err[-2000:]
    dead_batch = json.loads(log.read_text().splitlines()[-1])
    if confirmed:  # the ESP's webhook reports the batch it accepted
        for address, meta in dead_batch["meta"].items():
            event = AnymailTrackingEvent(
                event_type="delivered", recipient=address, metadata=meta, event_id=None
            )
            tracking.send(sender=object(), event=event, esp_name="Test")

    # A new worker 61 s later: the follow-up is due, the dead worker's lease is not.
    code, _ran, err = finish(start(log, now_offset=61))
    assert code == 0, err[-2000:]
    got = received(log)
    assert set(got) == audience and sum(got.values()) == MEMBERS
    campaign.refresh_from_db()
    if not confirmed:
        assert campaign.status == Campaign.QUEUED  # two rows are still unresolved
        assert campaign.progress()["sending"] == BATCH

    code, _ran, err = finish(start(log, now_offset=STEP + 61))
    assert code == 0, err[-2000:]
    extra = {a for a, n in received(log).items() if n > 1}
    assert extra == (set() if confirmed else set(dead_batch["to"]))
    assert_every_recipient_once_or_within_the_bound(campaign, audience, log, kills=1)
