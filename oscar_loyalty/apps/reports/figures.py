"""Fill the precomputed report tables with set-based SQL (see docs/reports.md).

Incremental by day: ``refresh_figures(since=d)`` rewrites the daily figures
from ``d`` on, the monthly ones from the first of ``d``'s month, and the facts
of members who joined or ordered since ``d``. Rows are deleted and inserted in
one transaction, so a second run gives the same rows (idempotent).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points.models import PointsEntry
from oscar_loyalty.order_events import counted_orders

from .models import DailyFigure, FigureRefresh, MemberFacts

Order = get_model("order", "Order")


def local_start(day: date) -> datetime:
    """The aware datetime at which local ``day`` begins."""
    return timezone.make_aware(datetime.combine(day, time.min))


def member_orders():
    """Orders that count in reports: placed by a member's account, counted (``order_events``)."""
    return counted_orders().filter(user__loyalty_member__isnull=False)


def acquisition_channel():
    """SQL expression for a member's acquisition channel (outer ref: the member row).

    The journey app's first touch when it records one; otherwise "referral"
    for referred members and "direct" for the rest.
    """
    first_touch = _first_touch_model()
    referral = apps.get_model("loyalty_referrals", "Referral")
    fallback = Case(
        When(
            Exists(referral.objects.filter(referee_id=OuterRef("user_id"))), then=Value("referral")
        ),
        default=Value("direct"),
        output_field=CharField(),
    )
    if first_touch is None:
        return fallback
    link = "member" if any(f.name == "member" for f in first_touch._meta.fields) else "user"
    outer = "pk" if link == "member" else "user_id"
    touch = first_touch.objects.filter(**{link: OuterRef(outer)}).values("channel")[:1]
    return Coalesce(Subquery(touch, output_field=CharField()), fallback)


def _first_touch_model():
    try:
        model = apps.get_model("loyalty_journey", "FirstTouch")
    except LookupError:
        return None
    names = {f.name for f in model._meta.fields}
    if "channel" in names and names & {"member", "user"}:
        return model
    return None


def default_since() -> date | None:
    """The day after the last refresh began, minus one day for late rows; None: never ran."""
    last = FigureRefresh.objects.filter(finished_at__isnull=False).first()
    if last is None:
        return None
    return timezone.localtime(last.started_at).date() - timedelta(days=1)


def refresh_figures(*, since: date | None = None, full: bool = False) -> FigureRefresh:
    """Recompute the figures from ``since`` (default: the last run; everything with ``full``)."""
    if not full and since is None:
        since = default_since()
    if full:
        since = None
    run = FigureRefresh.objects.create(since=since)
    with transaction.atomic():
        figures = _refresh_daily(since) + _refresh_monthly(since)
        facts = _refresh_facts(since)
    run.figures, run.facts, run.finished_at = figures, facts, timezone.now()
    run.save(update_fields=["figures", "facts", "finished_at"])
    return run


def _refresh_daily(since: date | None) -> int:
    entries = PointsEntry.objects.all()
    orders = member_orders()
    if since is not None:
        entries = entries.filter(created_at__gte=local_start(since))
        orders = orders.filter(date_placed__gte=local_start(since))
    rows = []
    points = (
        entries.annotate(day=TruncDate("created_at"))
        .values("day", "kind")
        .annotate(
            pos=Sum(Case(When(points__gt=0, then=F("points")), default=0)),
            neg=Sum(Case(When(points__lt=0, then=-F("points")), default=0)),
        )
        .order_by()
    )
    for row in points:
        if row["pos"]:
            rows.append(
                DailyFigure(
                    metric="points_in", dimension=row["kind"], date=row["day"], value=row["pos"]
                )
            )
        if row["neg"]:
            rows.append(
                DailyFigure(
                    metric="points_out", dimension=row["kind"], date=row["day"], value=row["neg"]
                )
            )
    daily = (
        orders.annotate(day=TruncDate("date_placed"))
        .values("day")
        .annotate(active=Count("user_id", distinct=True), n=Count("pk"))
        .order_by()
    )
    for row in daily:
        rows.append(
            DailyFigure(
                metric="active_members", dimension="day", date=row["day"], value=row["active"]
            )
        )
        rows.append(DailyFigure(metric="orders", dimension="", date=row["day"], value=row["n"]))
    deleted = DailyFigure.objects.filter(
        Q(metric__in=("points_in", "points_out", "orders"))
        | Q(metric="active_members", dimension="day")
    )
    if since is not None:
        deleted = deleted.filter(date__gte=since)
    deleted.delete()
    DailyFigure.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _refresh_monthly(since: date | None) -> int:
    month_start = since.replace(day=1) if since is not None else None
    orders = member_orders()
    if month_start is not None:
        orders = orders.filter(date_placed__gte=local_start(month_start))
    month = TruncMonth("date_placed", output_field=DateField())
    rows = []
    active = (
        orders.annotate(month=month).values("month").annotate(n=Count("user_id", distinct=True))
    )
    for row in active.order_by():
        rows.append(
            DailyFigure(
                metric="active_members", dimension="month", date=row["month"], value=row["n"]
            )
        )
    cohorts = (
        orders.annotate(
            month=month,
            cohort=TruncMonth("user__loyalty_member__joined_at", output_field=DateField()),
        )
        .values("month", "cohort")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    )
    for row in cohorts:
        rows.append(
            DailyFigure(
                metric="cohort_active",
                dimension=row["cohort"].strftime("%Y-%m"),
                date=row["month"],
                value=row["n"],
            )
        )
    deleted = DailyFigure.objects.filter(
        Q(metric="cohort_active") | Q(metric="active_members", dimension="month")
    )
    if month_start is not None:
        deleted = deleted.filter(date__gte=month_start)
    deleted.delete()
    DailyFigure.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _refresh_facts(since: date | None) -> int:
    """Rewrite the facts of members who joined or ordered since ``since`` (all if None)."""
    members = Member.objects.all()
    if since is not None:
        start = local_start(since)
        members = members.filter(
            Q(joined_at__gte=start)
            | Q(user_id__in=Order.objects.filter(date_placed__gte=start).values("user_id"))
            | ~Exists(MemberFacts.objects.filter(member_id=OuterRef("pk")))
        )
    else:
        # A WHERE clause keeps the statement shape the same on every backend.
        members = members.filter(pk__gte=0)
    orders = counted_orders().filter(user_id=OuterRef("user_id"))
    in_order = orders.order_by("date_placed", "pk").values("date_placed")
    count = orders.order_by().values("user_id").annotate(c=Count("pk")).values("c")
    select = (
        members.order_by()
        .annotate(
            f_channel=acquisition_channel(),
            f_first=Subquery(in_order[:1]),
            f_second=Subquery(in_order[1:2]),
            f_orders=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        )
        .values_list("pk", "joined_at", "f_channel", "f_first", "f_second", "f_orders")
    )
    table = connection.ops.quote_name(MemberFacts._meta.db_table)
    sql, params = select.query.sql_with_params()
    if since is None:
        MemberFacts.objects.all().delete()
    else:
        MemberFacts.objects.filter(member_id__in=members.values("pk")).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (member_id, joined_at, channel, first_order_at, "  # noqa: S608
            f"second_order_at, orders) {sql}",
            params,
        )
        return cursor.rowcount
