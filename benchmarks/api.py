"""The member API's queries: the balance, and history and list pages, whatever the ledger size.

    python -m benchmarks.api            # 1,000,000 ledger rows (SQLite, or DATABASE_URL)
    python -m benchmarks.api --smoke    # 10,000 rows; the query targets are enforced

Every request goes through the whole stack (middleware, token authentication,
the view) with DRF's test client and a token, as a mobile app calls. Targets:

* ``GET me/points/``: 1 query after the token's (2 in all);
* ``GET me/points/history/``: the same number of queries for a page of 1, 25
  or 100 entries, for the first page and a later one (the cursor), for the
  big ledger and for a member with 30 entries, some with their orders;
* ``GET plans/`` and ``GET join/``: the same for 2 plans and for 40.

The big ledger is ``benchmarks.balance``'s member (kept between runs).
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


def small_member():
    """A member with 30 ledger entries, 10 of them for orders (the order numbers are read)."""
    from oscar.test.factories import UserFactory, create_order

    from oscar_loyalty.apps.membership.models import Member, Plan
    from oscar_loyalty.apps.points import services
    from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry

    member = Member.objects.filter(number="BENCHAPI").first()
    if member is not None:
        return member
    plan, _ = Plan.objects.get_or_create(slug="bench-club", defaults={"name": "Bench club"})
    user = UserFactory(email="bench-api@example.com", username="bench-api")
    member = Member.objects.create(user=user, plan=plan, number="BENCHAPI")
    account, _ = PointsAccount.objects.get_or_create(member=member)
    for i in range(20):
        services.adjust_points(member, 10, reason=f"Bench {i}", staff_user=None)
    for _ in range(10):
        order = create_order(user=user)
        PointsEntry.objects.create(
            account=account,
            kind=PointsEntry.BONUS,
            points=5,
            reason="Bench order",
            order=order,
            idempotency_key=f"bench-api:{order.number}",
        )
    return member


def plans(count: int) -> None:
    """``count`` active plans (the benchmark's own, beside any others)."""
    from oscar_loyalty.apps.membership.models import Plan

    Plan.objects.filter(slug__startswith="bench-plan-").delete()
    Plan.objects.bulk_create(
        Plan(name=f"Plan {i}", slug=f"bench-plan-{i}", translations={"he": {"name": f"מסלול {i}"}})
        for i in range(count)
    )


def measure(client, path: str, reads: int, **params) -> tuple[set[int], float, dict]:
    counts, times, body = set(), [], None
    for _ in range(reads):
        with count_queries() as q, timed() as t:
            response = client.get(path, params)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        counts.add(q.count)
        times.append(t.seconds)
        body = response.json()
    return counts, median(times) * 1000, body


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--reads", type=int, default=50)
    args = p.parse_args()
    rows = 10_000 if args.smoke else args.rows
    reads = 5 if args.smoke else args.reads
    setup_django()
    from django.urls import reverse
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from benchmarks.balance import build_ledger
    from oscar_loyalty.apps.points.models import PointsEntry

    big, _account = build_ledger(rows)
    small = small_member()

    def client_for(member):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=member.user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    table, figures = [], {}
    targets = Targets(smoke=args.smoke)

    # The balance.
    points_url = reverse("loyalty_api:points")
    for label, member in (("big", big), ("small", small)):
        counts, ms, _ = measure(client_for(member), points_url, reads)
        size = PointsEntry.objects.filter(account__member=member).count()
        figures[f"points_{label}"] = {"ledger_rows": size, "queries": sorted(counts), "ms": ms}
        table.append(["GET me/points/", f"{size:,} rows", "-", sorted(counts), f"{ms:.1f} ms"])
        targets.check(
            f"balance ({size:,} rows): queries with the token's",
            sorted(counts),
            "2 (token + 1)",
            ok=counts == {2},
        )

    # History pages: first and second page, three page sizes, two ledgers.
    history_url = reverse("loyalty_api:points-history")
    history_counts = set()
    for label, member in (("big", big), ("small", small)):
        client = client_for(member)
        size = PointsEntry.objects.filter(account__member=member).count()
        for page_size in (1, 25, 100):
            counts, ms, body = measure(client, history_url, reads, page_size=page_size)
            assert len(body["results"]) == min(page_size, size)
            next_counts, next_ms, _ = (
                measure(client, body["next"], reads)
                if body["next"]
                else (
                    counts,
                    ms,
                    None,
                )
            )
            history_counts |= counts | next_counts
            figures[f"history_{label}_{page_size}"] = {
                "ledger_rows": size,
                "queries_first_page": sorted(counts),
                "queries_next_page": sorted(next_counts),
                "ms_first_page": ms,
                "ms_next_page": next_ms,
            }
            table.append(
                [
                    "GET me/points/history/",
                    f"{size:,} rows",
                    page_size,
                    f"{sorted(counts)} / next {sorted(next_counts)}",
                    f"{ms:.1f} / {next_ms:.1f} ms",
                ]
            )
    targets.check(
        "history: queries per page, any page size, page or ledger size",
        sorted(history_counts),
        "one number",
        ok=len(history_counts) == 1,
    )

    # Lists: the plans and the join form.
    list_counts = {}
    for name in ("plans", "join"):
        list_counts[name] = set()
        for count in (2, 40):
            plans(count)
            counts, ms, _ = measure(client_for(small), reverse(f"loyalty_api:{name}"), reads)
            list_counts[name] |= counts
            figures[f"{name}_{count}"] = {"plans": count, "queries": sorted(counts), "ms": ms}
            table.append([f"GET {name}/", f"{count} plans", "-", sorted(counts), f"{ms:.1f} ms"])
        targets.check(
            f"{name}/: queries for 2 or 40 plans",
            sorted(list_counts[name]),
            "one number",
            ok=len(list_counts[name]) == 1,
        )
    plans(0)

    print_table(
        "Member API: queries per request (token authentication included)",
        ["Request", "Data", "Page size", "Queries", "Median"],
        table,
    )
    write_results("api", {"figures": figures, "targets": targets.report()}, smoke=args.smoke)
    targets.exit()


if __name__ == "__main__":
    main()
