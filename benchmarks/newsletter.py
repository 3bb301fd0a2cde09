"""Newsletter to 100k consenting members, end to end, and a run killed halfway then resumed.

    python -m benchmarks.newsletter            # 100,000 members (SQLite, or DATABASE_URL)
    python -m benchmarks.newsletter --smoke    # 2,000 members

1. Audience and outbox: ``fanout.fan_out`` in this process.
2. Sending: a real worker process (``sending.process_campaign``) hands
   batches to Anymail's test backend (``benchmarks.esp.LoggingTestBackend``:
   Anymail's payload code, then one line per batch in a log file, which is
   what the "ESP" received). Total time = fan-out + worker; peak memory is
   each process's own peak RSS.
3. Kill and resume: a second campaign; its worker kills itself with SIGKILL
   right after the ESP accepted the batch that crosses half the audience
   (the worst moment: the ESP has it, the outbox does not say so yet). A new
   worker, started after the dead one's lease, finishes the campaign. The
   ESP log must then hold every recipient, and no duplicate but that one
   batch (no ESP events here to confirm it).

4. Random kills (``--random-kills N``; 3 with ``--smoke``): a third
   campaign, sent by one worker after another, each killed with SIGKILL by
   this process when the ESP log passes a random size (a random instant,
   whatever the machine's speed), each restart's clock past the dead one's
   lease. Every recipient's messages are counted in the ESP log: none may be
   missing, duplicates at most one batch per kill (docs/newsletter.md,
   "Guarantees"). ``--only-kills`` skips parts 1-3::

       python -m benchmarks.newsletter --only-kills --members 20000 --random-kills 20

The members (users, members, consent records and current consent) are
created once, in bulk, and kept for later runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
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

PREFIX = "nl-bench-"

WORKER = """
import os, signal, sys, time
from datetime import timedelta
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.utils import timezone
from oscar_loyalty.apps.newsletter import fanout, sending
kill_after = int(os.environ.get("KILL_AFTER_SENT") or 0)
sent_batches = 0
def checkpoint(name):
    global sent_batches
    if name == "sent" and kill_after:
        sent_batches += 1
        if sent_batches >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
sending.checkpoint = checkpoint
# A restart "later": the whole clock moves, so leases are read per chunk as in production.
offset = timedelta(seconds=int(os.environ.get("NOW_OFFSET", "0")))
real_now = timezone.now
timezone.now = lambda: real_now() + offset
started = time.perf_counter()
result = sending.process_campaign(int(sys.argv[1]))
seconds = time.perf_counter() - started
from benchmarks._common import peak_rss_mb
print("RESULT", result, seconds, peak_rss_mb())
"""


def build_members(count: int) -> int:
    """``count`` members with granted email consent (created once, kept)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from oscar_loyalty.apps.consent.hashing import email_hash
    from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState
    from oscar_loyalty.apps.membership.models import Member, Plan

    User = get_user_model()
    have = User.objects.filter(username__startswith=PREFIX).count()
    if have >= count:
        return have
    plan, _ = Plan.objects.get_or_create(slug="bench-club", defaults={"name": "Bench club"})
    password = make_password(None)
    now = timezone.now()
    step = 5000
    for start in range(have, count, step):
        stop = min(start + step, count)
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    username=f"{PREFIX}{i}",
                    email=f"{PREFIX}{i}@example.com",
                    first_name=f"Reader{i}",
                    password=password,
                )
                for i in range(start, stop)
            )
            Member.objects.bulk_create(
                Member(user=u, plan=plan, number=f"N{i:09d}", language="en")
                for i, u in zip(range(start, stop), users, strict=True)
            )
            records = ConsentRecord.objects.bulk_create(
                ConsentRecord(
                    user=u,
                    purpose="marketing",
                    channel="email",
                    action=ConsentRecord.GRANT,
                    wording_version="bench",
                    wording_text="Benchmark consent",
                    source=ConsentRecord.SOURCE_DOI,
                    email_hash=email_hash(u.email),
                    created_at=now,
                )
                for u in users
            )
            ConsentState.objects.bulk_create(
                ConsentState(
                    user=u,
                    purpose="marketing",
                    channel="email",
                    status=ConsentState.GRANTED,
                    last_record=r,
                    granted_at=now,
                )
                for u, r in zip(users, records, strict=True)
            )
        print(f"  members: {stop:,}", flush=True)
    return count


def make_campaign(name: str):
    from wagtail.rich_text import RichText

    from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter

    newsletter = Newsletter.objects.create(
        title=name,
        subject="News from the club",
        language="en",
        live=True,
        body=[
            ("heading", "Autumn is here"),
            ("paragraph", RichText('<p>New arrivals, <a href="/catalogue/">see them</a>.</p>')),
            ("button", {"text": "Shop now", "url": "https://shop.example/"}),
        ],
    )
    return Campaign.objects.create(name=name, newsletter=newsletter)


def database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return ""  # benchmarks.settings names the same file
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def _worker_env(log: Path, *, kill_after: int, now_offset: int) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "BENCH_ESP_LOG": str(log),
        "BENCH_EMAIL_BACKEND": "benchmarks.esp.LoggingTestBackend",
        "KILL_AFTER_SENT": str(kill_after),
        "NOW_OFFSET": str(now_offset),
    }
    if database_url():
        env["DATABASE_URL"] = database_url()
    return env


def run_worker(
    campaign_id: int, log: Path, *, kill_after: int = 0, now_offset: int = 0, workers: int = 1
):
    """Run ``workers`` worker processes on the campaign at once; wait for all of them.

    Each has its own ESP log (``log`` with a suffix), so no two processes append
    to one file; ``delivered`` reads them all. Workers share the outbox through
    ``skip_locked`` claims, as several django-tasks or RQ workers would.
    """
    procs = []
    with timed() as t:
        for n in range(workers):
            worker_log = log if n == 0 else log.with_suffix(f".{n}{log.suffix}")
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", WORKER, str(campaign_id)],
                    env=_worker_env(worker_log, kill_after=kill_after, now_offset=now_offset),
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        outputs = [proc.communicate(timeout=3600) for proc in procs]
    done = subprocess.CompletedProcess(
        args=procs[0].args,
        returncode=next((p.returncode for p in procs if p.returncode != 0), 0),
        stdout="\n".join(out for out, _err in outputs),
        stderr="\n".join(err for _out, err in outputs),
    )
    peaks = [
        float(line.split()[-1])
        for out, _err in outputs
        for line in out.splitlines()
        if line.startswith("RESULT")
    ]
    return done, t.seconds, max(peaks) if peaks else None


def delivered(log: Path) -> Counter:
    """What the "ESP" received, over the logs of every worker of ``log``."""
    counts: Counter = Counter()
    for path in [log, *sorted(log.parent.glob(f"{log.stem}.*{log.suffix}"))]:
        if path.exists():
            for line in path.read_text().splitlines():
                counts.update(json.loads(line)["to"])
    return counts


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=100_000)
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes sending the full campaign (default: 2 on PostgreSQL, 1 on "
        "SQLite, whose single writer gains nothing from a second)",
    )
    p.add_argument(
        "--random-kills",
        type=int,
        default=None,
        help="part 4: SIGKILLs at random instants of a third campaign (default: 3 with "
        "--smoke, else none)",
    )
    p.add_argument("--only-kills", action="store_true", help="part 4 only")
    p.add_argument("--seed", type=int, default=None, help="random instants of part 4")
    args = p.parse_args()
    count = 2_000 if args.smoke else args.members
    if args.random_kills is None:
        args.random_kills = 3 if args.smoke or args.only_kills else 0
    os.environ.setdefault("BENCH_EMAIL_BACKEND", "benchmarks.esp.LoggingTestBackend")
    setup_django()
    from django.db import connection

    if args.workers is None:
        args.workers = 1 if connection.vendor == "sqlite" else 2
    from django.utils.crypto import get_random_string

    from oscar_loyalty.apps.newsletter import fanout, rendering, sending
    from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage

    with timed() as t_build:
        build_members(count)
        # Earlier runs' messages go, so every run starts from the same outbox
        # (each run leaves 2 x 100,000 rows; the table was 1.4M rows after seven).
        OutboxMessage.objects.filter(campaign__name__startswith="Bench ").delete()
        if connection.vendor == "postgresql":
            # What autovacuum does for a store whose members were not all made a
            # minute ago (it is off on this machine's PostgreSQL): planner statistics.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    print(f"Members ready in {t_build.seconds:.1f} s", flush=True)
    run = get_random_string(6).lower()
    logs = ROOT / "var" / f"bench-esp-{run}"
    logs.mkdir(parents=True, exist_ok=True)
    batch = rendering.batch_size("test")
    targets = Targets(smoke=args.smoke)
    if args.random_kills:
        from benchmarks.newsletter_kills import random_kill_part

        random_kill_part(args, run, logs, batch, targets)
    if args.only_kills:
        targets.exit()
        return

    # 1-2. One campaign, end to end.
    campaign = make_campaign(f"Bench {run} full")
    # The fan-out's own peak, not the member set-up's (the same process).
    reset_peak_rss()
    base_rss = peak_rss_mb()
    with timed() as t_fan:
        recipients = fanout.fan_out(campaign)
    fan_rss = peak_rss_mb()
    done, t_send, worker_peak = run_worker(campaign.pk, logs / "full.log", workers=args.workers)
    assert done.returncode == 0, done.stderr[-3000:]
    got = delivered(logs / "full.log")
    assert len(got) == recipients and set(got.values()) == {1}, (len(got), recipients)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.DONE
    total = t_fan.seconds + t_send

    # 3. Killed halfway, resumed.
    killed_campaign = make_campaign(f"Bench {run} killed")
    fanout.fan_out(killed_campaign)
    half_batches = max(1, (recipients // 2 + batch - 1) // batch)
    log = logs / "killed.log"
    killed, t_killed, _ = run_worker(killed_campaign.pk, log, kill_after=half_batches)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    at_kill = sum(delivered(log).values())
    statuses_at_kill = dict(
        Counter(
            OutboxMessage.objects.filter(campaign=killed_campaign).values_list("status", flat=True)
        )
    )
    lease = sending.app_settings.NEWSLETTER_LEASE_SECONDS
    resumed, t_resumed, resumed_peak = run_worker(killed_campaign.pk, log, now_offset=lease + 1)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    final = delivered(log)
    statuses = dict(
        Counter(
            OutboxMessage.objects.filter(campaign=killed_campaign).values_list("status", flat=True)
        )
    )
    lost = recipients - len(final)
    duplicates = sum(final.values()) - len(final)
    # One kill: at most the one batch the ESP accepted and the worker never recorded.
    within_bound = lost == 0 and duplicates <= batch

    figures = {
        "members": count,
        "recipients": recipients,
        "batch_size": batch,
        "workers": args.workers,
        "fan_out_s": t_fan.seconds,
        "send_s": t_send,
        "total_s": total,
        "messages_per_s": recipients / t_send,
        "fan_out_process_peak_rss_mb": fan_rss,
        "fan_out_process_rss_before_mb": base_rss,
        "worker_peak_rss_mb": worker_peak,
        "killed_after_batches": half_batches,
        "delivered_at_kill": at_kill,
        "outbox_at_kill": statuses_at_kill,
        "resumed_s": t_resumed,
        "resumed_worker_peak_rss_mb": resumed_peak,
        "delivered_after_resume": sum(final.values()),
        "distinct_after_resume": len(final),
        "outbox_after_resume": statuses,
        "lost_after_resume": lost,
        "duplicates_after_resume": duplicates,
    }
    print_table(
        "Newsletter, end to end",
        ["Recipients", "Batch", "Fan-out", "Send (worker)", "Total", "Msg/s", "Peak RSS"],
        [
            [
                f"{recipients:,}",
                batch,
                f"{t_fan.seconds:.1f} s",
                f"{t_send:.1f} s",
                f"{total:.1f} s",
                f"{figures['messages_per_s']:,.0f}",
                f"fan-out {fan_rss:.0f} MB, worker {worker_peak:.0f} MB",
            ]
        ],
    )
    print_table(
        "Killed with SIGKILL halfway, then resumed",
        [
            "Sent at kill",
            "Outbox at kill",
            "Resumed in",
            "Sent in all",
            "Distinct",
            "Outbox after",
        ],
        [
            [
                f"{at_kill:,}",
                statuses_at_kill,
                f"{t_resumed:.1f} s",
                f"{sum(final.values()):,}",
                f"{len(final):,}",
                statuses,
            ]
        ],
    )
    targets.check(
        "newsletter: after a kill, none lost, duplicates ≤ one batch",
        f"lost {lost}, duplicates {duplicates}",
        f"lost 0, duplicates ≤ {batch}",
        ok=within_bound,
    )
    scale = recipients / 100_000
    targets.check(
        "newsletter: total time (scaled to 100k)",
        f"{total / scale:.1f} s",
        "≤ 60 s",
        ok=total / scale <= 60,
        timing=True,
    )
    peak = max(fan_rss, worker_peak or 0)
    targets.check(
        "newsletter: peak memory", f"{peak:.0f} MB", "≤ 200 MB", ok=peak <= 200, timing=True
    )
    write_results(
        "newsletter", {"figures": figures, "targets": targets.report()}, smoke=args.smoke
    )
    targets.exit()


if __name__ == "__main__":
    main()
