"""The reports on this app's precomputed figures: members, points, breakage, repeat
purchase, cohorts (registered through ``loyalty_reports``; the other apps register
theirs in their own ``loyalty_reports``).

Every metric's exact definition is in docs/reports.md; keep the two in step.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oscar_loyalty import app_settings
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.dates import add_months
from oscar_loyalty.reporting import (
    PRECOMPUTED,
    Chart,
    Column,
    Period,
    Report,
    counts_by_bucket,
    ratio,
    register,
)

from .models import DailyFigure, MemberFacts

CENT = Decimal("0.01")


def figures(metric: str, period: Period, *, dimension: str | None = None) -> dict:
    """``{(dimension, bucket): total}`` of one precomputed metric over the period."""
    rows = DailyFigure.objects.filter(metric=metric, date__gte=period.start, date__lte=period.end)
    if dimension is not None:
        rows = rows.filter(dimension=dimension)
    totals: dict = defaultdict(int)
    for dim, day, value in rows.values_list("dimension", "date", "value"):
        totals[(dim, period.bucket_of(day))] += value
    return totals


def label(day) -> str:
    return day.isoformat() if hasattr(day, "isoformat") else str(day)


@register
class MemberGrowthReport(Report):
    key = "members"
    order = 10
    title = _("Member growth and active members")
    description = _(
        "New members per period, all members at its end, and members who placed an order in it."
    )
    source = PRECOMPUTED
    daily = True
    columns = (
        Column("period", _("Period"), "date"),
        Column("new_members", _("New members")),
        Column("total_members", _("Members at end")),
        Column("active_members", _("Active members")),
    )
    chart = Chart("line", "period", ("total_members", "active_members", "new_members"))

    def rows(self, period):
        joined = counts_by_bucket(Member.objects.all(), "joined_at", period, n=Count("pk"))
        total = Member.objects.filter(joined_at__lt=period.start_at).count()
        interval = "day" if period.interval == "day" else "month"
        active = figures("active_members", period, dimension=interval)
        rows = []
        for day in period.buckets():
            new = joined.get(day, {}).get("n", 0)
            total += new
            rows.append(
                {
                    "period": day,
                    "new_members": new,
                    "total_members": total,
                    "active_members": active.get((interval, day), 0),
                }
            )
        return rows


def _points_flows(period: Period):
    """Issued, redeemed, expired and taken back per bucket, and the balance before the range."""
    inflow = figures("points_in", period)
    outflow = figures("points_out", period)
    before = DailyFigure.objects.filter(
        metric__in=("points_in", "points_out"), date__lt=period.start
    ).aggregate(
        inflow=Coalesce(Sum("value", filter=Q(metric="points_in")), 0),
        outflow=Coalesce(Sum("value", filter=Q(metric="points_out")), 0),
    )
    outstanding = before["inflow"] - before["outflow"]
    for day in period.buckets():

        def got(table, *kinds, day=day):
            return sum(table.get((kind, day), 0) for kind in kinds)

        issued = got(inflow, "earn", "bonus", "adjust")
        redeemed = got(outflow, "redeem") - got(inflow, "reverse")
        expired = got(outflow, "expire")
        taken_back = got(outflow, "reverse", "adjust")
        outstanding += (
            issued + got(inflow, "reverse") - got(outflow, "redeem") - expired - taken_back
        )
        yield day, issued, redeemed, expired, taken_back, outstanding


def money(points: int) -> Decimal:
    return (Decimal(points) * app_settings.POINTS_VALUE).quantize(CENT, rounding=ROUND_HALF_UP)


@register
class PointsReport(Report):
    key = "points"
    order = 20
    title = _("Points issued, redeemed, expired and outstanding")
    description = _("Points flows per period and the outstanding balance (liability) at its end.")
    source = PRECOMPUTED
    daily = True
    columns = (
        Column("period", _("Period"), "date"),
        Column("issued", _("Issued")),
        Column("redeemed", _("Redeemed")),
        Column("expired", _("Expired")),
        Column("taken_back", _("Reversed or deducted")),
        Column("outstanding", _("Outstanding")),
        Column("liability", _("Liability"), "money"),
    )
    chart = Chart("bar", "period", ("issued", "redeemed", "expired"))

    def rows(self, period):
        return [
            {
                "period": day,
                "issued": issued,
                "redeemed": redeemed,
                "expired": expired,
                "taken_back": taken_back,
                "outstanding": outstanding,
                "liability": money(outstanding),
            }
            for day, issued, redeemed, expired, taken_back, outstanding in _points_flows(period)
        ]


@register
class BreakageReport(Report):
    key = "breakage"
    order = 30
    title = _("Breakage rate")
    description = _(
        "Share of the points that left members' balances unused: expired ÷ (redeemed + expired)."
    )
    source = PRECOMPUTED
    columns = (
        Column("period", _("Period"), "date"),
        Column("redeemed", _("Redeemed")),
        Column("expired", _("Expired")),
        Column("breakage_rate", _("Breakage rate"), "percent"),
        Column("cumulative_rate", _("Breakage rate since range start"), "percent"),
    )
    chart = Chart("line", "period", ("breakage_rate", "cumulative_rate"))

    def rows(self, period):
        rows, total_redeemed, total_expired = [], 0, 0
        for day, _issued, redeemed, expired, _back, _out in _points_flows(period):
            total_redeemed += redeemed
            total_expired += expired
            rows.append(
                {
                    "period": day,
                    "redeemed": redeemed,
                    "expired": expired,
                    "breakage_rate": ratio(expired, redeemed + expired),
                    "cumulative_rate": ratio(total_expired, total_redeemed + total_expired),
                }
            )
        return rows


@register
class RepeatPurchaseReport(Report):
    key = "repeat_purchase"
    order = 40
    title = _("Repeat-purchase rate")
    description = _(
        "Members with at least one order by the end of each month, those with two or more, "
        "and the share that came back."
    )
    source = PRECOMPUTED
    columns = (
        Column("period", _("Period"), "date"),
        Column("new_customers", _("First orders")),
        Column("new_repeaters", _("Second orders")),
        Column("customers", _("Members who ordered")),
        Column("repeat_customers", _("Members who ordered again")),
        Column("repeat_rate", _("Repeat-purchase rate"), "percent"),
    )
    chart = Chart("line", "period", ("repeat_rate",))

    def rows(self, period):
        facts = MemberFacts.objects.all()
        customers = facts.filter(first_order_at__lt=period.start_at).count()
        repeaters = facts.filter(second_order_at__lt=period.start_at).count()
        first = counts_by_bucket(facts, "first_order_at", period, n=Count("pk"))
        second = counts_by_bucket(facts, "second_order_at", period, n=Count("pk"))
        rows = []
        for day in period.buckets():
            new, again = first.get(day, {}).get("n", 0), second.get(day, {}).get("n", 0)
            customers += new
            repeaters += again
            rows.append(
                {
                    "period": day,
                    "new_customers": new,
                    "new_repeaters": again,
                    "customers": customers,
                    "repeat_customers": repeaters,
                    "repeat_rate": ratio(repeaters, customers),
                }
            )
        return rows


COHORT_MONTHS = 12


@register
class CohortReport(Report):
    key = "cohorts"
    order = 50
    title = _("Retention by join month (cohorts)")
    description = _(
        "For members who joined in each month: the share who placed an order in the joining "
        "month (M0) and in each month after it."
    )
    source = PRECOMPUTED
    columns = (
        Column("period", _("Join month"), "date"),
        Column("members", _("Members")),
        *(Column(f"m{k}", f"M{k}", "percent") for k in range(COHORT_MONTHS)),
    )
    chart = Chart("bar", "period", ("m1", "m3", "m6"))

    def rows(self, period):
        period = Period(period.start, period.end, "month")
        sizes = counts_by_bucket(Member.objects.all(), "joined_at", period, n=Count("pk"))
        cohorts = [day.strftime("%Y-%m") for day in period.buckets()]
        active = {
            (dim, day): value
            for dim, day, value in DailyFigure.objects.filter(
                metric="cohort_active", dimension__in=cohorts
            ).values_list("dimension", "date", "value")
        }
        rows, this_month = [], timezone.localdate().replace(day=1)
        for day in period.buckets():
            size = sizes.get(day, {}).get("n", 0)
            row = {"period": day, "members": size}
            for k in range(COHORT_MONTHS):
                month = add_months(day, k)
                # A month that has not begun has no retention yet (empty, not 0 %).
                found = active.get((day.strftime("%Y-%m"), month), 0)
                row[f"m{k}"] = ratio(found, size) if month <= this_month else None
            rows.append(row)
        return rows
