"""Balance read at 1M ledger rows: ``points.services.get_summary`` against a huge ledger.

    python -m benchmarks.balance            # 1,000,000 ledger rows (SQLite, or DATABASE_URL)
    python -m benchmarks.balance --smoke    # 10,000 rows; the one-query target is enforced

The ledger rows belong to one member (the worst case) among 1,000 other
accounts; the member also holds live and expired reservations. The rows are
written set-based (``generate_series`` on PostgreSQL, a recursive CTE on
SQLite) and kept between runs.
"""

from __future__ import annotations

from benchmarks._common import (
    Targets,
    count_queries,
    median,
    parser,
    print_table,
    setup_django,
    timed,
    write_results,
)

NUMBER = "BENCHBAL"


def series_sql(vendor: str, n: int) -> str:
    """A ``SELECT x FROM ...`` yielding 1..n."""
    if vendor == "postgresql":
        return f"SELECT x FROM generate_series(1, {int(n)}) AS x"
    return (
        "SELECT x FROM (WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s "
        f"WHERE x < {int(n)}) SELECT x FROM s)"
    )


def build_ledger(rows: int):
    """The benchmark member with ``rows`` ledger entries (kept between runs)."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone
    from oscar.test.factories import UserFactory

    from oscar_loyalty.apps.membership.models import Member, Plan
    from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry, PointsRedemption

    plan, _ = Plan.objects.get_or_create(slug="bench-club", defaults={"name": "Bench club"})
    member = Member.objects.filter(number=NUMBER).select_related("user").first()
    if member is None:
        user = UserFactory(email="bench-balance@example.com", username="bench-balance")
        member = Member.objects.create(user=user, plan=plan, number=NUMBER)
    account, _ = PointsAccount.objects.get_or_create(member=member)
    have = PointsEntry.objects.filter(account=account).count()
    if have < rows:
        entry = PointsEntry._meta.db_table
        now = timezone.now()
        with transaction.atomic(), timed() as t, connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {entry} (account_id, kind, points, debt, reason, "  # noqa: S608
                "idempotency_key, created_at) "
                f"SELECT %s, 'bonus', 10, 0, 'Benchmark row', "
                f"'bench-balance:' || %s || ':' || x, %s "
                f"FROM ({series_sql(connection.vendor, rows - have)}) AS s",
                [account.pk, have, now],
            )
            total = PointsEntry.objects.filter(account=account).count() * 10
            PointsAccount.objects.filter(pk=account.pk).update(balance=total)
        print(f"Wrote {rows - have:,} ledger rows in {t.seconds:.1f} s", flush=True)
        # Other members: 1,000 small accounts, so the account table is not trivially tiny.
        existing = Member.objects.filter(number__startswith="BB").count()
        Member.objects.bulk_create(
            Member(plan=plan, number=f"BB{i:08d}") for i in range(existing, 1000)
        )
        PointsAccount.objects.bulk_create(
            PointsAccount(member=m)
            for m in Member.objects.filter(number__startswith="BB", points_account__isnull=True)
        )
    if not PointsRedemption.objects.filter(account=account).exists():
        Basket = __import__("oscar.core.loading", fromlist=["get_model"]).get_model(
            "basket", "Basket"
        )
        now = timezone.now()
        for minutes, status in ((30, "reserved"), (-30, "reserved"), (30, "released")):
            PointsRedemption.objects.create(
                basket=Basket.objects.create(owner=member.user),
                account=account,
                points=100,
                status=status,
                expires_at=now + timedelta(minutes=minutes),
            )
    account.refresh_from_db()
    return member, account


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--reads", type=int, default=200)
    args = p.parse_args()
    rows = 10_000 if args.smoke else args.rows
    setup_django()
    from django.db.models import Sum

    from oscar_loyalty.apps.points import services
    from oscar_loyalty.apps.points.models import PointsEntry

    member, account = build_ledger(rows)
    ledger_rows = PointsEntry.objects.filter(account=account).count()
    services.get_summary(member.user)  # warm
    times, counts = [], set()
    for _ in range(args.reads):
        with count_queries() as q, timed() as t:
            summary = services.get_summary(member.user)
        times.append(t.seconds)
        counts.add(q.count)
    assert summary.balance == account.balance, (summary.balance, account.balance)
    assert summary.reserved == 100, summary.reserved  # the live reservation only
    with timed() as t_sum:
        ledger_total = PointsEntry.objects.filter(account=account).aggregate(s=Sum("points"))["s"]
    assert ledger_total == summary.balance
    figures = {
        "ledger_rows": ledger_rows,
        "reads": args.reads,
        "median_ms": median(times) * 1000,
        "max_ms": max(times) * 1000,
        "queries": sorted(counts),
        "sum_of_ledger_ms": t_sum.seconds * 1000,
    }
    print_table(
        "Balance read (get_summary)",
        [
            "Ledger rows",
            "Reads",
            "Median",
            "Max",
            "Queries per read",
            "For comparison: SUM over ledger",
        ],
        [
            [
                f"{ledger_rows:,}",
                args.reads,
                f"{figures['median_ms']:.2f} ms",
                f"{figures['max_ms']:.2f} ms",
                ", ".join(map(str, sorted(counts))),
                f"{figures['sum_of_ledger_ms']:.1f} ms",
            ]
        ],
    )
    targets = Targets(smoke=args.smoke)
    targets.check("balance read: queries", sorted(counts), "1", ok=counts == {1})
    targets.check(
        "balance read: median time (indicator; the issue sets no limit)",
        f"{figures['median_ms']:.2f} ms",
        "≤ 5 ms",
        ok=figures["median_ms"] <= 5,
        timing=True,
        enforce=False,
    )
    write_results("balance", {"figures": figures, "targets": targets.report()}, smoke=args.smoke)
    targets.exit()


if __name__ == "__main__":
    main()
