"""SMS campaign to 100k consenting members through the outbox, with worker processes killed.

    python -m benchmarks.sms                 # 100,000 members (SQLite, or DATABASE_URL)
    python -m benchmarks.sms --smoke         # 2,000 members
    python -m benchmarks.sms --workers 4     # four worker processes (PostgreSQL)

1. Fan-out: ``fanout.fan_out`` of an SMS campaign in this process (consent
   on SMS, the number's hash, quiet hours per number).
2. Sending: ``--workers`` real worker processes (1 on SQLite, 2 on
   PostgreSQL by default) run ``sending.process_campaign`` on the campaign at
   once, claiming chunks of 500 from the one outbox through the real claim
   and lease path (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL). Their
   "provider" is ``tests.apps.newsletter.sms_log.FileLogBackend``: the whole
   §30A text is built for every message, and each accepted batch's numbers
   are appended to one log file and fsynced, so the log is what the provider
   accepted, whoever sent it and however it died.
3. Killed and resumed: a second campaign, the same workers; one of them
   (chosen with ``--seed``) SIGKILLs itself right after the provider accepted
   the batch that takes it past its share of half the audience (the worst
   instant: the provider has the batch, the outbox does not know). The others
   run on. A worker after the dead one's lease finishes. Every number must be
   in the log, duplicates at most the one batch in flight at the kill; the
   benchmark exits non-zero otherwise.

The clock is fixed at a Tuesday noon in Israel (moved past the lease for the
resume), so quiet hours hold nothing back. Members (users, members with
numbers, SMS consent) are created once, in bulk, and kept for later runs.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._common import (
    ROOT,
    Targets,
    parser,
    peak_rss_mb,
    print_table,
    reset_peak_rss,
    setup_django,
    timed,
    write_results,
)

PREFIX = "sms-bench-"
NOON = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


def number(i: int) -> str:
    return f"+97252{i:07d}"  # 052-xxxxxxx: valid Israeli mobile numbers


def build_members(count: int) -> int:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState
    from oscar_loyalty.apps.membership.models import Member, Plan
    from oscar_loyalty.phones import number_hasher

    User = get_user_model()
    have = User.objects.filter(username__startswith=PREFIX).count()
    if have >= count:
        return have
    plan, _ = Plan.objects.get_or_create(slug="bench-club", defaults={"name": "Bench club"})
    password, now, hasher = make_password(None), timezone.now(), number_hasher("sms")
    for start in range(have, count, 5000):
        stop = min(start + 5000, count)
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(username=f"{PREFIX}{i}", email="", first_name=f"R{i}", password=password)
                for i in range(start, stop)
            )
            Member.objects.bulk_create(
                Member(user=u, plan=plan, number=f"S{i:09d}", language="he", phone=number(i))
                for i, u in zip(range(start, stop), users, strict=True)
            )
            records = ConsentRecord.objects.bulk_create(
                ConsentRecord(
                    user=u,
                    purpose="marketing",
                    channel="sms",
                    action=ConsentRecord.GRANT,
                    wording_version="bench",
                    wording_text="Benchmark consent",
                    source=ConsentRecord.SOURCE_JOIN,
                    email_hash=hasher(number(i)),
                    created_at=now,
                )  # fmt: skip
                for i, u in zip(range(start, stop), users, strict=True)
            )
            ConsentState.objects.bulk_create(
                ConsentState(
                    user=u,
                    purpose="marketing",
                    channel="sms",
                    status=ConsentState.GRANTED,
                    last_record=r,
                    email_hash=r.email_hash,
                    granted_at=now,
                )  # fmt: skip
                for u, r in zip(users, records, strict=True)
            )
        print(f"  members: {stop:,}", flush=True)
    return count


def make_campaign(name: str):
    from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter

    newsletter = Newsletter.objects.create(title=name, subject="SMS", language="he", live=True)
    return Campaign.objects.create(
        name=name, newsletter=newsletter, channels=["sms"],
        sms_text="{first_name}, 20% הנחה על מגפיים עד יום חמישי",
    )  # fmt: skip


BATCH = 500
BACKEND = {
    "BACKEND": "tests.apps.newsletter.sms_log.FileLogBackend",
    "OPTIONS": {"channel": "sms", "batch_size": BATCH},
}

# One worker: ``process_campaign`` at a fixed noon (plus NOW_OFFSET seconds),
# the provider logging to LOYALTY_SMS_LOG, SIGKILLed by its provider after its
# LOYALTY_SMS_KILL_AFTER-th batch when that is set.
WORKER = """
import json, os, sys, time
from datetime import UTC, datetime, timedelta
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.conf import settings
settings.OSCAR_LOYALTY_SMS_BACKEND = json.loads(os.environ["BENCH_SMS_BACKEND"])
settings.OSCAR_LOYALTY_SMS_SENDER_NAME = "Bench shoes"
settings.OSCAR_LOYALTY_QUIET_DATES = ["2000-01-01"]
from oscar_loyalty.apps.newsletter import fanout, sending
from benchmarks._common import peak_rss_mb
now = datetime(2026, 12, 8, 10, 0, tzinfo=UTC) + timedelta(seconds=int(os.environ["NOW_OFFSET"]))
started = time.perf_counter()
result = sending.process_campaign(int(sys.argv[1]), now=now)
seconds = time.perf_counter() - started
print("RESULT", json.dumps({**result, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}))
"""


def run_workers(campaign_id: int, log: Path, *, workers: int, now_offset: int = 0, kill=None):
    """``workers`` processes on the campaign at once; ``kill``: ``(worker, after_batches)``.

    Returns ``(seconds until all ended, [each worker's result or None if killed], codes)``.
    """
    from benchmarks.newsletter import database_url

    procs = []
    with timed() as t:
        for n in range(workers):
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
                "BENCH_SMS_BACKEND": json.dumps(BACKEND),
                "LOYALTY_SMS_LOG": str(log),
                "LOYALTY_SMS_KILL_AFTER": str(kill[1] if kill and kill[0] == n else 0),
                "NOW_OFFSET": str(now_offset),
            }
            if database_url():
                env["DATABASE_URL"] = database_url()
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", WORKER, str(campaign_id)],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )  # fmt: skip
            )
        outputs = [proc.communicate(timeout=3600) for proc in procs]
    results = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        expected = (0, -signal.SIGKILL) if kill else (0,)
        assert proc.returncode in expected, err[-3000:]
        lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
        results.append(json.loads(lines[0].removeprefix("RESULT ")) if lines else None)
    return t.seconds, results, [proc.returncode for proc in procs]


def received(log: Path) -> Counter:
    from tests.apps.newsletter.sms_log import read_log

    return Counter(to for batch in read_log(log) for to in batch["to"])


def outbox(campaign) -> dict:
    from oscar_loyalty.apps.newsletter.models import OutboxMessage

    rows = OutboxMessage.objects.filter(campaign=campaign)
    return dict(Counter(rows.values_list("status", flat=True)))


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=100_000)
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: 2 on PostgreSQL, 1 on SQLite, whose single writer "
        "gains nothing from a second)",
    )
    p.add_argument("--seed", type=int, default=None, help="which worker is killed")
    args = p.parse_args()
    count = 2_000 if args.smoke else args.members
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.utils.crypto import get_random_string

    settings.OSCAR_LOYALTY_SMS_SENDER_NAME = "Bench shoes"
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2000-01-01"]
    settings.OSCAR_LOYALTY_SMS_BACKEND = BACKEND
    from oscar_loyalty import app_settings
    from oscar_loyalty.apps.newsletter import fanout
    from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
    from tests.apps.newsletter.sms_log import read_log

    workers = args.workers or (1 if connection.vendor == "sqlite" else 2)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    load_before = os.getloadavg()
    with timed() as t_build:
        build_members(count)
        # Earlier runs' messages go, so every run starts from the same outbox.
        OutboxMessage.objects.filter(campaign__name__startswith="SMS bench").delete()
        if connection.vendor == "postgresql":
            # Planner statistics, as autovacuum keeps them in a store running for a while.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    print(f"Members ready in {t_build.seconds:.1f} s", flush=True)
    run = get_random_string(6).lower()
    logs = ROOT / "var" / f"bench-sms-{run}"
    logs.mkdir(parents=True, exist_ok=True)

    # 1-2. Fan-out here, sending in the worker processes.
    campaign = make_campaign(f"SMS bench {run} full")
    reset_peak_rss()
    with timed() as t_fan:
        recipients = fanout.fan_out(campaign, now=NOON)
    fan_rss = peak_rss_mb()
    t_send, results, _codes = run_workers(campaign.pk, logs / "full.log", workers=workers)
    got = received(logs / "full.log")
    assert len(got) == recipients == count and set(got.values()) == {1}, (len(got), recipients)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.DONE
    sample = read_log(logs / "full.log")[0]["body"]
    total = t_fan.seconds + t_send

    # 3. One worker SIGKILLed after the batch that takes it past its share of half.
    killed = make_campaign(f"SMS bench {run} killed")
    fanout.fan_out(killed, now=NOON)
    victim = random.Random(seed).randrange(workers)
    half_batches = max(1, -(-recipients // 2 // BATCH) // workers)
    log = logs / "killed.log"
    t_killed, killed_results, codes = run_workers(
        killed.pk, log, workers=workers, kill=(victim, half_batches)
    )
    landed = codes.count(-signal.SIGKILL)
    at_kill, outbox_at_kill = sum(received(log).values()), outbox(killed)
    lease = app_settings.NEWSLETTER_LEASE_SECONDS
    t_resume, resumed, _codes = run_workers(killed.pk, log, workers=1, now_offset=lease + 1)
    after = received(log)
    lost = recipients - len(after)
    duplicates = sum(after.values()) - len(after)
    bound = landed * BATCH  # one batch in flight per killed worker
    outbox_after = outbox(killed)
    done = Campaign.objects.get(pk=killed.pk).status == Campaign.DONE
    load_after = os.getloadavg()

    figures = {
        "recipients": recipients,
        "workers": workers,
        "batch_size": BATCH,
        "fan_out_s": round(t_fan.seconds, 2),
        "send_s": round(t_send, 2),
        "total_s": round(total, 2),
        "sms_per_s_sending": round(recipients / t_send, 1),
        "sms_per_s_total": round(recipients / total, 1),
        "chunks_per_worker": [r["chunks"] for r in results],
        "fan_out_peak_rss_mb": round(fan_rss, 1),
        "worker_peak_rss_mb": round(max(r["peak_rss_mb"] for r in results), 1),
        "killed_worker": victim,
        "killed_after_its_batches": half_batches,
        "kills_landed": landed,
        "killed_run_s": round(t_killed, 2),
        "chunks_per_worker_killed_run": [r["chunks"] if r else "killed" for r in killed_results],
        "delivered_at_kill": at_kill,
        "outbox_at_kill": outbox_at_kill,
        "resume_s": round(t_resume, 2),
        "delivered_after_resume": sum(after.values()),
        "distinct_after_resume": len(after),
        "outbox_after_resume": outbox_after,
        "lost": lost,
        "duplicates": duplicates,
        "duplicate_bound": bound,
        "seed": seed,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "sample_text": sample,
    }
    print_table(
        f"SMS campaign, {workers} worker(s) on {connection.vendor}",
        ["Figure", "Value"],
        [[k, str(v).replace("\n", "⏎")] for k, v in figures.items()],
    )
    targets = Targets(smoke=args.smoke)
    targets.check("SMS: a worker SIGKILLed, none lost", f"lost {lost}", "lost 0", ok=lost == 0)
    targets.check(
        "SMS: duplicates ≤ one batch per kill",
        duplicates,
        bound,
        ok=landed == 1 and duplicates <= bound,
    )
    targets.check(
        "SMS: every row sent, campaign done",
        outbox_after,
        "all sent",
        ok=done and set(outbox_after) == {OutboxMessage.SENT},
    )
    targets.check("100k SMS in ≤ 10 min", f"{total:.0f} s", "600 s", ok=total <= 600, timing=True)
    write_results("sms", {"figures": figures, "targets": targets.report()}, smoke=args.smoke)
    targets.exit()


if __name__ == "__main__":
    main()
