"""Every use and change of segments and member statistics.

``members_in(segment)`` is the one way to evaluate a segment: a single
``Member`` queryset (one SQL statement), which newsletters, members-only
offers and member prices filter further or test with ``Exists``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.exceptions import InvalidSegmentRules
from oscar_loyalty.order_events import counted_orders

from .models import MemberStats, Segment
from .rules import build_q, uses_aggregate, validate_rules


def _rules_of(segment_or_rules) -> dict:
    if isinstance(segment_or_rules, Segment):
        return segment_or_rules.rules
    return segment_or_rules


def segment_q(segment_or_rules, *, now: datetime | None = None) -> Q:
    """The ``Q`` on ``Member`` for a segment (or a rule tree not saved yet)."""
    return build_q(_rules_of(segment_or_rules), now=now)


def members_in(segment_or_rules, *, now: datetime | None = None) -> QuerySet:
    """The segment's members: one queryset, evaluated by the database.

    Lookups through to-many relations are ``Exists``/``IN`` subqueries, so
    the queryset never repeats a member and needs no ``distinct()``.
    """
    return Member.objects.filter(segment_q(segment_or_rules, now=now))


#: ``work_mem`` for evaluating a segment on PostgreSQL (``SET LOCAL``: that
#: transaction only): the anti-joins and hashes of a million members spill to
#: disk at the default 4MB.
WORK_MEM = "64MB"

#: Added when the segment has a live period aggregate (spend or orders over a
#: window the daily figures do not hold), ``user_id IN (SELECT user_id … GROUP
#: BY user_id HAVING …)``. Measured at 1M members / 3M orders (docs/segments.md):
#: by default the planner hashes ~800,000 customers and, in a parallel plan,
#: every worker builds that same hash again: 4.8 s. Without hash aggregation it
#: reads the covering ``(user_id, date_placed) INCLUDE (…)`` index in customer
#: order, aggregates as it goes (no memory) and merge-joins with the members'
#: ``user_id`` index: 1.2 s, whatever the table's physical order. Other segments
#: keep the default plans, which are faster for them (parallel scans).
AGGREGATE_SETTINGS = {"enable_hashagg": "off", "max_parallel_workers_per_gather": "0"}


@contextmanager
def planner_settings(*, aggregate: bool = False) -> Iterator[None]:
    """Run the enclosed segment queries with the settings above (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        yield
        return
    settings = {"work_mem": WORK_MEM, **(AGGREGATE_SETTINGS if aggregate else {})}
    with transaction.atomic(), connection.cursor() as cursor:
        for name, value in settings.items():
            cursor.execute(f"SET LOCAL {name} = %s", [value])
        yield


def count_segment(segment_or_rules, *, now: datetime | None = None) -> int:
    """How many members the segment holds right now (one ``COUNT(*)`` query)."""
    aggregate = uses_aggregate(_rules_of(segment_or_rules))
    with planner_settings(aggregate=aggregate):
        return members_in(segment_or_rules, now=now).count()


def contains(segment_or_rules, member: Member, *, now: datetime | None = None) -> bool:
    return members_in(segment_or_rules, now=now).filter(pk=member.pk).exists()


def memberships(member: Member | None, segment_ids, *, now: datetime | None = None) -> set[int]:
    """Which of ``segment_ids`` hold ``member``, in one query however many segments.

    One boolean ``Exists`` annotation per segment on the member's own row.
    """
    segment_ids = sorted(set(segment_ids))
    if member is None or member.pk is None or not segment_ids:
        return set()
    segments = Segment.objects.in_bulk(segment_ids)
    annotations = {}
    for pk, segment in segments.items():
        try:
            q = segment_q(segment, now=now)
        except InvalidSegmentRules:  # a criterion's app was removed: nobody is in it
            continue
        annotations[f"in_{pk}"] = Exists(Member.objects.filter(q, pk=OuterRef("pk")))
    if not annotations:
        return set()
    row = Member.objects.filter(pk=member.pk).annotate(**annotations).values(*annotations).first()
    return {int(key[3:]) for key, value in (row or {}).items() if value}


def save_segment(
    *,
    name: str,
    rules,
    description: str = "",
    segment: Segment | None = None,
    user=None,
    now: datetime | None = None,
) -> Segment:
    """Create or update a segment after validating its rules (``InvalidSegmentRules``)."""
    cleaned = validate_rules(rules)
    now = now or timezone.now()
    if segment is None:
        segment = Segment(created_by=user if getattr(user, "pk", None) else None, created_at=now)
    segment.name, segment.description, segment.rules = name, description, cleaned
    segment.last_count = count_segment(cleaned, now=now)
    segment.counted_at = now
    segment.save()
    return segment


def recount(segment: Segment, *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    count = count_segment(segment, now=now)
    Segment.objects.filter(pk=segment.pk).update(last_count=count, counted_at=now)
    segment.last_count, segment.counted_at = count, now
    return count


# Daily member statistics -------------------------------------------------------

#: Periods (days) whose orders and spend ``MemberStats`` precomputes.
WINDOW_DAYS = (30, 90, 365)


def refresh_member_stats(*, now: datetime | None = None) -> int:
    """Recompute ``MemberStats`` for every member with orders, in two set-based statements.

    ``DELETE`` then ``INSERT ... SELECT`` with ``NTILE(5)`` window functions
    over one ``GROUP BY`` of the orders, inside one transaction: readers see
    either yesterday's figures or today's, never a half-written table. The
    same SQL runs on PostgreSQL and SQLite (3.25+ has window functions).
    Returns the number of rows written.
    """
    now = now or timezone.now()
    Order = get_model("order", "Order")
    qn = connection.ops.quote_name
    stats = qn(MemberStats._meta.db_table)
    members = qn(Member._meta.db_table)
    orders = qn(Order._meta.db_table)
    # The one definition of an order that counts, compiled to SQL (its values are parameters).
    counted, counted_params = counted_orders().values("pk").query.sql_with_params()
    # Conditional sums for the precomputed windows (``WINDOW_DAYS``).
    windows = ",\n".join(
        f"SUM(CASE WHEN o.{qn('date_placed')} >= %s THEN 1 ELSE 0 END) AS orders_{days}d, "
        f"COALESCE(SUM(CASE WHEN o.{qn('date_placed')} >= %s "
        f"THEN o.{qn('total_incl_tax')} ELSE 0 END), 0) AS spend_{days}d"
        for days in WINDOW_DAYS
    )
    since = [
        connection.ops.adapt_datetimefield_value(now - timedelta(days=days))
        for days in WINDOW_DAYS
        for _twice in (1, 2)
    ]
    # Only quoted table and column names are formatted in; every value is a parameter.
    sql = f"""
        INSERT INTO {stats} (
            member_id, orders_count, spend, first_order_at, last_order_at,
            orders_30d, orders_90d, orders_365d, spend_30d, spend_90d, spend_365d,
            recency_score, frequency_score, monetary_score, computed_at
        )
        SELECT member_id, orders_count, spend, first_order_at, last_order_at,
               orders_30d, orders_90d, orders_365d, spend_30d, spend_90d, spend_365d,
               NTILE(5) OVER (ORDER BY last_order_at, member_id),
               NTILE(5) OVER (ORDER BY orders_count, member_id),
               NTILE(5) OVER (ORDER BY spend, member_id),
               %s
        FROM (
            SELECT m.{qn("id")} AS member_id,
                   COUNT(o.{qn("id")}) AS orders_count,
                   COALESCE(SUM(o.{qn("total_incl_tax")}), 0) AS spend,
                   MIN(o.{qn("date_placed")}) AS first_order_at,
                   MAX(o.{qn("date_placed")}) AS last_order_at,
                   {windows}
            FROM {members} m
            JOIN {orders} o ON o.{qn("user_id")} = m.{qn("user_id")}
            WHERE m.{qn("user_id")} IS NOT NULL AND o.{qn("id")} IN ({counted})
            GROUP BY m.{qn("id")}
        ) figures
    """  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {stats}")  # noqa: S608 - a quoted table name
        cursor.execute(
            sql, [connection.ops.adapt_datetimefield_value(now), *since, *counted_params]
        )
        return cursor.rowcount if cursor.rowcount >= 0 else MemberStats.objects.count()
