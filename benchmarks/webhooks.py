"""Outbound webhooks: 10,000 club events fanned out to 3 endpoints, each a real local receiver.

    python -m benchmarks.webhooks            # 10,000 events, 2,000 members (or DATABASE_URL)
    python -m benchmarks.webhooks --smoke    # 600 events, 120 members

1. Recording: ``webhooks.services.record_event`` (the outbox receiver's own
   call) for each event, 500 per transaction: one event row and one delivery
   per endpoint each. The after-commit kicks are left out: the workers below
   drain the queue, as a backlog would be drained.
2. Delivery: one worker thread per endpoint (``delivery.deliver_endpoint``,
   each with its own database connection), every request a real HTTP POST to
   a receiver process (``tests.apps.webhooks.receiver``) that verifies the
   Standard Webhooks signature and deduplicates by event id. The "erp"
   receiver refuses its first 200 requests (503), so retries run too (retry
   delay 0 here: the schedule is not what is measured).
3. Checks: every receiver saw every event exactly once after dedup, no bad
   signature, every delivery ``delivered``, and each member's events arrived
   in the order they were recorded, at every endpoint.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import defaultdict

from benchmarks._common import (
    ROOT,
    Targets,
    parser,
    print_table,
    setup_django,
    timed,
    write_results,
)

ENDPOINTS = {"crm": {}, "erp": {"fail_first": 200}, "analytics": {}}


def start_receiver(name: str, secret: str, log, options: dict):
    from tests.apps.webhooks.receiver import free_port

    port = free_port()
    command = [sys.executable, "-m", "tests.apps.webhooks.receiver", "--port", str(port)]
    command += ["--secret", secret, "--log", str(log)]
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert process.stdout.readline().strip() == b"ready"
    return process, f"http://127.0.0.1:{port}/{name}"


def build_members(count: int, run: str):
    from django.contrib.auth import get_user_model

    from oscar_loyalty.apps.membership.models import Member, Plan

    plan, _ = Plan.objects.get_or_create(slug="bench-club", defaults={"name": "Bench club"})
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"hook-{run}-{i}", email=f"hook-{run}-{i}@example.com")
        for i in range(count)
    )
    return Member.objects.bulk_create(
        Member(user=user, number=f"{run}{i:08d}", plan=plan) for i, user in enumerate(users)
    )


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=10_000)
    p.add_argument("--members", type=int, default=2_000)
    args = p.parse_args()
    events_wanted, members_wanted = (600, 120) if args.smoke else (args.events, args.members)
    setup_django()
    from django.conf import settings
    from django.db import connection, connections, transaction
    from django.utils.crypto import get_random_string

    from oscar_loyalty import signals
    from oscar_loyalty.apps.membership.models import Member
    from oscar_loyalty.apps.webhooks import delivery, services
    from oscar_loyalty.apps.webhooks.models import Delivery, Endpoint
    from tests.apps.webhooks.receiver import read_log

    settings.OSCAR_LOYALTY_WEBHOOKS_RETRY_SECONDS = (0, 0)
    settings.OSCAR_LOYALTY_WEBHOOKS_MAX_ATTEMPTS = 1000
    settings.OSCAR_LOYALTY_WEBHOOKS_PAUSE_AFTER = 10**6
    settings.OSCAR_LOYALTY_WEBHOOKS_BATCH_SIZE = 100
    settings.OSCAR_LOYALTY_WEBHOOKS_CONCURRENCY = 8
    services.kick_after_commit = lambda endpoint_ids: None  # the workers below drain the queue

    run = get_random_string(5, "ABCDEFGHJKLMNPQRSTUVWXYZ")
    logs = ROOT / "var" / f"webhooks-bench-{run}"
    logs.mkdir(parents=True, exist_ok=True)
    # Earlier runs' endpoints stay, paused: they must not receive this run's events.
    Endpoint.objects.update(status=Endpoint.PAUSED, events=[])
    receivers, endpoints = {}, {}
    for name, options in ENDPOINTS.items():
        endpoint = Endpoint.objects.create(
            name=f"{name}-{run}", url="http://x", events=["member.joined"]
        )
        process, url = start_receiver(name, endpoint.secret, logs / f"{name}.jsonl", options)
        Endpoint.objects.filter(pk=endpoint.pk).update(url=url)
        receivers[name], endpoints[name] = process, Endpoint.objects.get(pk=endpoint.pk)
    try:
        members = build_members(members_wanted, run)
        made = []
        with timed() as t_record:
            for start in range(0, events_wanted, 500):
                with transaction.atomic():
                    for i in range(start, min(start + 500, events_wanted)):
                        member = members[i % len(members)]
                        made.append(
                            services.record_event(
                                signals.member_joined, sender=Member, member=member, source="join"
                            )
                        )
        print(
            f"Recorded {len(made):,} events x {len(endpoints)} endpoints "
            f"in {t_record.seconds:.1f} s",
            flush=True,
        )

        seconds = {}

        def work(name: str) -> None:
            started = time.monotonic()
            try:
                while Delivery.objects.filter(
                    endpoint=endpoints[name], status__in=delivery.OPEN
                ).exists():
                    delivery.deliver_endpoint(endpoints[name].pk)
            finally:
                seconds[name] = time.monotonic() - started
                connections.close_all()

        threads = [threading.Thread(target=work, args=(name,)) for name in endpoints]
        with timed() as t_deliver:
            if connection.vendor == "postgresql":
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            else:
                # SQLite has one writer at a time: the workers take turns.
                for name in endpoints:
                    work(name)
        total = len(made) * len(endpoints)
        print(f"Delivered {total:,} in {t_deliver.seconds:.1f} s", flush=True)

        order_of = {event.webhook_id: event.pk for event in made}
        rows, problems = [], []
        for name, endpoint in endpoints.items():
            log = read_log(logs / f"{name}.jsonl")
            new = [row for row in log if row["kind"] == "new"]
            ids = [row["id"] for row in new]
            if sorted(ids) != sorted(order_of):
                problems.append(f"{name}: {len(set(ids))} distinct of {len(order_of)} events")
            if any(row["kind"] == "bad" for row in log):
                problems.append(f"{name}: a signature did not verify")
            by_member = defaultdict(list)
            for row in new:
                by_member[row["member"]].append(order_of.get(row["id"], 0))
            if any(seq != sorted(seq) for seq in by_member.values()):
                problems.append(f"{name}: a member's events arrived out of order")
            delivered = Delivery.objects.filter(
                endpoint=endpoint, status=Delivery.DELIVERED
            ).count()
            if delivered != len(made):
                problems.append(f"{name}: {delivered} deliveries delivered")
            rows.append(
                [
                    name,
                    f"{len(ids):,}",
                    sum(row["kind"] == "duplicate" for row in log),
                    sum(row["kind"] == "refused" for row in log),
                    f"{seconds[name]:.1f} s",
                    f"{len(made) / seconds[name]:,.0f}",
                ]
            )
        print_table(
            "Webhooks",
            ["Endpoint", "Events seen once", "Duplicates", "Refused (503)", "Time", "Events/s"],
            rows,
        )
        figures = {
            "events": len(made),
            "members": len(members),
            "endpoints": len(endpoints),
            "record_seconds": t_record.seconds,
            "record_events_per_second": len(made) / t_record.seconds,
            "deliver_seconds": t_deliver.seconds,
            "deliveries_per_second": total / t_deliver.seconds,
            "per_endpoint_seconds": seconds,
            "database": connection.vendor,
        }
        print(
            f"Recording: {figures['record_events_per_second']:,.0f} events/s; "
            f"delivery: {figures['deliveries_per_second']:,.0f} deliveries/s over 3 endpoints"
        )
        targets = Targets(smoke=args.smoke)
        targets.check(
            "every event once per endpoint, in member order",
            "; ".join(problems) or "yes",
            "yes",
            ok=not problems,
        )
        figures["targets"] = targets.report()
        write_results("webhooks", figures, smoke=args.smoke)
        if problems:
            raise SystemExit("FAILED: " + "; ".join(problems))
    finally:
        for process in receivers.values():
            process.kill()
            process.wait()
        Endpoint.objects.filter(name__endswith=f"-{run}").update(status=Endpoint.PAUSED)


if __name__ == "__main__":
    main()
