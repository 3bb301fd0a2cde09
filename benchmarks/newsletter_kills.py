"""Part 4 of the newsletter benchmark: a campaign sent through many SIGKILLs at random instants.

Workers run one after another on the campaign; this process kills each
with SIGKILL when the ESP log passes a random size, plus a random share of
one batch's observed cycle, so the instant is wherever the worker happens
to be then (claiming, rendering, in the ESP call, recording), not a
hand-picked step. The results depend on no timing: whatever the instant,
nothing may be lost and duplicates stay within one batch per kill. Each
next worker's clock runs past the dead one's lease. A last worker finishes.
The ESP log then says what every recipient received.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from benchmarks._common import ROOT, Targets, print_table, timed, write_results


def _size(log: Path) -> int:
    return log.stat().st_size if log.exists() else 0


def random_kills(campaign, log: Path, *, kills: int, batch: int, seed: int) -> dict:
    """Fan ``campaign`` out, send it through ``kills`` random SIGKILLs; returns the figures."""
    from oscar_loyalty import app_settings
    from oscar_loyalty.apps.newsletter import fanout, sending
    from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage

    from .newsletter import WORKER, _worker_env

    recipients = fanout.fan_out(campaign)
    rng = random.Random(seed)
    # Past the lease and the follow-up: what a restart after the dead worker's lease sees.
    step = app_settings.NEWSLETTER_LEASE_SECONDS + app_settings.NEWSLETTER_WATCH_SECONDS + 1
    per_recipient = len(json.dumps({"to": ["nl-bench-99999@example.com"] * 100})) / 100
    unresolved = OutboxMessage.objects.filter(campaign=campaign, status__in=sending.UNRESOLVED)
    offset, landed, workers, cycle = 0, 0, 0, None
    with timed() as t:
        for left in range(kills, 0, -1):
            remaining = unresolved.count()
            if not remaining:
                break
            # Within this worker's share of what is left, so most kills land.
            target = _size(log) + rng.randint(1, max(1, int(remaining * per_recipient / left)))
            proc = subprocess.Popen(
                [sys.executable, "-c", WORKER, str(campaign.pk)],
                env=_worker_env(log, kill_after=0, now_offset=offset),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            workers += 1
            # ``cycle``: the last observed time between two accepted batches (any worker).
            grew_at, size = None, _size(log)
            while proc.poll() is None:
                now, current = time.monotonic(), _size(log)
                if current != size:  # a batch accepted: the worker's rhythm, as observed
                    cycle = now - grew_at if grew_at is not None else cycle
                    grew_at, size = now, current
                if current >= target:
                    # The log grows when the ESP accepts a batch; a random share of
                    # one batch's cycle later, the worker is anywhere in the next one.
                    time.sleep(rng.uniform(0, cycle or 0))
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.002)
            _out, err = proc.communicate(timeout=3600)
            assert proc.returncode in (0, -signal.SIGKILL), err[-3000:]
            landed += proc.returncode == -signal.SIGKILL
            offset += step
        final = subprocess.run(
            [sys.executable, "-c", WORKER, str(campaign.pk)],
            env=_worker_env(log, kill_after=0, now_offset=offset),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        workers += 1
    assert final.returncode == 0, final.stderr[-3000:]
    counts: Counter = Counter()
    if log.exists():
        for line in log.read_text().splitlines():
            counts.update(json.loads(line)["to"])
    statuses = dict(
        Counter(OutboxMessage.objects.filter(campaign=campaign).values_list("status", flat=True))
    )
    lost = recipients - len(counts)
    duplicates = sum(counts.values()) - len(counts)
    return {
        "recipients": recipients,
        "batch_size": batch,
        "kills_asked": kills,
        "kills_landed": landed,
        "workers_started": workers,
        "seed": seed,
        "seconds": t.seconds,
        "delivered": sum(counts.values()),
        "distinct": len(counts),
        "lost": lost,
        "duplicates": duplicates,
        "duplicate_bound": landed * batch,
        "recipients_twice": sum(1 for n in counts.values() if n == 2),
        "recipients_more": sum(1 for n in counts.values() if n > 2),
        "outbox_after": statuses,
        "campaign_done": Campaign.objects.get(pk=campaign.pk).status == Campaign.DONE,
        "ok": lost == 0 and duplicates <= landed * batch and set(statuses) == {"sent"},
    }


def random_kill_part(args, run: str, logs: Path, batch: int, targets: Targets) -> None:
    """Part 4 of ``benchmarks.newsletter``: run it, print it, check it, write its results."""
    from .newsletter import make_campaign

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    figures = random_kills(
        make_campaign(f"Bench {run} kills"),
        logs / "kills.log",
        kills=args.random_kills,
        batch=batch,
        seed=seed,
    )
    print_table(
        f"Killed with SIGKILL at random instants (seed {seed})",
        ["Recipients", "Kills", "Lost", "Duplicates", "Bound", "Outbox after", "Time"],
        [
            [
                f"{figures['recipients']:,}",
                f"{figures['kills_landed']} of {figures['kills_asked']}",
                figures["lost"],
                figures["duplicates"],
                figures["duplicate_bound"],
                figures["outbox_after"],
                f"{figures['seconds']:.1f} s",
            ]
        ],
    )
    targets.check(
        "newsletter: random kills, none lost, duplicates ≤ one batch per kill",
        f"lost {figures['lost']}, duplicates {figures['duplicates']}",
        f"lost 0, duplicates ≤ {figures['duplicate_bound']}",
        ok=figures["ok"],
    )
    write_results("newsletter-kills", {"figures": figures}, smoke=args.smoke)
