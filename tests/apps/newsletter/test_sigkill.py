"""A real worker process killed with SIGKILL mid-chunk, then restarted.

The worker is a separate Python process on the same database (PostgreSQL
with ``DATABASE_URL``, else the SQLite test file). It kills itself with
SIGKILL at the chosen step; its ESP is a test backend that logs every
accepted batch to a file, so the log is what recipients received.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.db import connection

from oscar_loyalty.apps.newsletter import fanout
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from tests.apps.newsletter.conftest import make_member

# serialized_rollback: the flush after a transactional test would also delete rows
# that data migrations created (e.g. the points app's site offers); restore them.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[3]

WORKER = """
import os, signal, sys
from datetime import timedelta
import django
django.setup()
from django.conf import settings
from django.utils import timezone
settings.EMAIL_BACKEND = "tests.apps.newsletter.esp_log.FileLogBackend"
settings.OSCAR_LOYALTY_ESP_BATCH_LIMITS = {"test": 2}
from oscar_loyalty.apps.newsletter import fanout, sending
step = os.environ.get("KILL_AT")
def checkpoint(name):
    if name == step:
        os.kill(os.getpid(), signal.SIGKILL)
sending.checkpoint = checkpoint
now = timezone.now() + timedelta(seconds=int(os.environ.get("NOW_OFFSET", "0")))
print(sending.process_campaign(int(sys.argv[1]), now=now))
"""


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"
    pytest.skip(f"no worker subprocess recipe for {connection.vendor}")


def run_worker(campaign_id, log: Path, *, kill_at="", now_offset=0):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "LOYALTY_ESP_LOG": str(log),
        "KILL_AT": kill_at,
        "NOW_OFFSET": str(now_offset),
    }
    return subprocess.run(
        [sys.executable, "-c", WORKER, str(campaign_id)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def delivered(log: Path) -> list[str]:
    if not log.exists():
        return []
    return sorted(a for line in log.read_text().splitlines() for a in json.loads(line)["to"])


@pytest.fixture
def queued(campaign):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:", ":memory:")
    ):
        pytest.skip("an in-memory SQLite database cannot be shared with a worker process")
    for n in range(4):
        make_member(f"m{n}@example.com")
    fanout.fan_out(campaign)
    return campaign


@pytest.mark.parametrize("kill_at", ["claimed", "sending", "sent"])
def test_a_worker_killed_mid_chunk_and_restarted_delivers_each_message_exactly_once(
    queued, tmp_path, kill_at
):
    log = tmp_path / "esp.log"
    killed = run_worker(queued.pk, log, kill_at=kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert delivered(log) == ([] if kill_at != "sent" else ["m0@example.com", "m1@example.com"])
    # The ESP's webhook events confirm the chunk the dead worker handed over.
    esp_reports(log)

    restarted = run_worker(queued.pk, log, now_offset=601)  # after the dead worker's lease
    assert restarted.returncode == 0, restarted.stderr[-2000:]

    assert delivered(log) == [f"m{n}@example.com" for n in range(4)]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.SENT}
    assert Campaign.objects.get().status == Campaign.DONE


def esp_reports(log: Path) -> None:
    if log.exists():
        for line in log.read_text().splitlines():
            for address, meta in json.loads(line)["meta"].items():
                event = AnymailTrackingEvent(
                    event_type="delivered", recipient=address, metadata=meta, event_id=None
                )
                tracking.send(sender=object(), event=event, esp_name="Test")
