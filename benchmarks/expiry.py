"""Expiry of 1M lots: ``points.expiry.expire_points`` over a million due lots.

    python -m benchmarks.expiry            # 100,000 accounts x 10 lots (SQLite, or DATABASE_URL)
    python -m benchmarks.expiry --smoke    # 500 accounts x 10 lots

Each run creates its own accounts, with their credits and lots written
set-based (one INSERT ... SELECT each), then expires them all and checks the
ledger: one expiry entry per account and one lot use per lot, every lot empty, every
balance zero and equal to the sum of its entries. Memory is sampled from
/proc every 0.2 s while expiry runs.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from benchmarks._common import (
    Targets,
    current_rss_mb,
    parser,
    print_table,
    setup_django,
    timed,
    write_results,
)
from benchmarks.balance import series_sql


class MemorySampler(threading.Thread):
    def __init__(self, every: float = 0.2):
        super().__init__(daemon=True)
        self.every, self.samples, self.stopped = every, [], threading.Event()

    def run(self):
        while not self.stopped.is_set():
            self.samples.append(current_rss_mb())
            time.sleep(self.every)

    def stop(self) -> list[float]:
        self.stopped.set()
        self.join()
        return self.samples


def build_lots(accounts: int, lots_per_account: int, *, run: str):
    """``accounts`` new accounts with ``lots_per_account`` due lots of 10 points each."""
    from django.db import connection, transaction
    from django.utils import timezone

    from oscar_loyalty.apps.membership.models import Member, Plan
    from oscar_loyalty.apps.points.models import (
        PointsAccount,
        PointsEntry,
        PointsLot,
    )

    plan, _ = Plan.objects.get_or_create(slug="bench-club", defaults={"name": "Bench club"})
    now = timezone.now()
    earned, expired = now - timedelta(days=400), now - timedelta(days=1)
    with transaction.atomic():
        members = Member.objects.bulk_create(
            (Member(plan=plan, number=f"E{run}{i:07d}") for i in range(accounts)),
            batch_size=5000,
        )
        PointsAccount.objects.bulk_create(
            (PointsAccount(member=m, balance=10 * lots_per_account) for m in members),
            batch_size=5000,
        )
        ids = PointsAccount.objects.filter(member__number__startswith=f"E{run}").values_list(
            "pk", flat=True
        )
        low, high = min(ids), max(ids)
        entry, lot = PointsEntry._meta.db_table, PointsLot._meta.db_table
        key = f"bench-exp:{run}:"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {entry} (account_id, kind, points, debt, reason, "  # noqa: S608
                "idempotency_key, created_at) "
                "SELECT a.id, 'earn', 10, 0, 'Benchmark credit', "
                f"%s || a.id || ':' || s.x, %s FROM {PointsAccount._meta.db_table} a "
                f"CROSS JOIN ({series_sql(connection.vendor, lots_per_account)}) s "
                "WHERE a.id BETWEEN %s AND %s",
                [key, earned, low, high],
            )
            cursor.execute(
                f"INSERT INTO {lot} (account_id, entry_id, points, remaining, expires_at, "  # noqa: S608
                f"created_at) SELECT account_id, id, 10, 10, %s, %s FROM {entry} "
                "WHERE account_id BETWEEN %s AND %s",
                [expired, earned, low, high],
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {entry}; ANALYZE {lot}")  # noqa: S608
    return low, high


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--accounts", type=int, default=100_000)
    p.add_argument("--lots-per-account", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=None, help="accounts per transaction")
    args = p.parse_args()
    accounts = 500 if args.smoke else args.accounts
    setup_django()
    from django.db import connection
    from django.db.models import Count, F, Sum
    from django.utils.crypto import get_random_string

    from oscar_loyalty import app_settings
    from oscar_loyalty.apps.points import expiry
    from oscar_loyalty.apps.points.models import (
        PointsAccount,
        PointsEntry,
        PointsLot,
        PointsLotUse,
    )

    run = get_random_string(5, "ABCDEFGHJKLMNPQRSTUVWXYZ")
    with timed() as t_build:
        low, high = build_lots(accounts, args.lots_per_account, run=run)
    lots = accounts * args.lots_per_account
    print(f"Wrote {accounts:,} accounts and {lots:,} lots in {t_build.seconds:.1f} s", flush=True)
    # Other runs' lots are empty by now; anything still due belongs to this run.
    sampler = MemorySampler()
    before = current_rss_mb()
    sampler.start()
    with timed() as t:
        expired = expiry.expire_points(batch_size=args.batch_size)
    samples = sampler.stop()
    after = current_rss_mb()
    print(f"Expired {expired:,} points of {lots:,} lots in {t.seconds:.1f} s", flush=True)

    mine = PointsAccount.objects.filter(pk__gte=low, pk__lte=high)
    expire_entries = PointsEntry.objects.filter(
        account_id__gte=low, account_id__lte=high, kind=PointsEntry.EXPIRE
    )
    checks = {
        "points expired": (expired, lots * 10),
        "expiry entries (one per account)": (expire_entries.count(), accounts),
        "expiry lot uses (one per lot)": (
            PointsLotUse.objects.filter(entry__in=expire_entries).count(),
            lots,
        ),
        "lots left with points": (
            PointsLot.objects.filter(
                account_id__gte=low, account_id__lte=high, remaining__gt=0
            ).count(),
            0,
        ),
        "accounts with a balance": (mine.exclude(balance=0).count(), 0),
        "accounts whose balance != sum of entries": (
            mine.annotate(total=Sum("entries__points")).exclude(total=F("balance")).count(),
            0,
        ),
        "lots without exactly one use": (
            PointsLot.objects.filter(account_id__gte=low, account_id__lte=high)
            .annotate(n=Count("uses"))
            .exclude(n=1)
            .count(),
            0,
        ),
    }
    for name, (got, want) in checks.items():
        assert got == want, f"{name}: {got} (expected {want})"
    with timed() as t_again:
        again = expiry.expire_points(batch_size=args.batch_size)
    assert again == 0

    figures = {
        "lots": lots,
        "accounts": accounts,
        "batch_size": args.batch_size or app_settings.POINTS_BATCH_SIZE,
        "seconds": t.seconds,
        "lots_per_second": lots / t.seconds,
        "rss_before_mb": before,
        "rss_max_mb": max(samples + [after]),
        "rss_after_mb": after,
        "rss_growth_mb": max(samples + [after]) - before,
        "rerun_seconds": t_again.seconds,
        "build_seconds": t_build.seconds,
        "database": connection.vendor,
    }
    print_table(
        "Expiry",
        ["Lots", "Accounts", "Batch", "Time", "Lots/s", "RSS before → max → after", "Re-run"],
        [
            [
                f"{lots:,}",
                f"{accounts:,}",
                figures["batch_size"],
                f"{t.seconds:.1f} s",
                f"{figures['lots_per_second']:,.0f}",
                f"{before:.0f} → {figures['rss_max_mb']:.0f} → {after:.0f} MB",
                f"{t_again.seconds:.2f} s",
            ]
        ],
    )
    targets = Targets(smoke=args.smoke)
    targets.check("expiry: ledger checks", "all passed", "all", ok=True)
    scale = lots / 1_000_000
    targets.check(
        "expiry: time (scaled to 1M lots)",
        f"{t.seconds / scale:.1f} s" if args.smoke else f"{t.seconds:.1f} s",
        "≤ 60 s",
        ok=t.seconds / scale <= 60,
        timing=True,
    )
    targets.check(
        "expiry: memory flat (growth while running)",
        f"{figures['rss_growth_mb']:.0f} MB",
        "≤ 50 MB",
        ok=figures["rss_growth_mb"] <= 50,
        timing=True,
    )
    write_results("expiry", {"figures": figures, "targets": targets.report()}, smoke=args.smoke)
    targets.exit()


if __name__ == "__main__":
    main()
