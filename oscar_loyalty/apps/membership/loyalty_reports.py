"""The membership app's reports: tier distribution and tier movement.

Found by the report registry (``oscar_loyalty.reporting``) when this app is
installed. Every metric's exact definition is in docs/reports.md.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.reporting import Chart, Column, Report, counts_by_bucket, ratio, register

from .models import Member, Tier, TierChange


@register
class TierDistributionReport(Report):
    key = "tiers"
    order = 60
    title = _("Tier distribution")
    description = _("Active members who joined by the end of the range, by their current tier.")
    columns = (
        Column("tier", _("Tier"), "text"),
        Column("members", _("Members")),
        Column("share", _("Share"), "percent"),
    )
    chart = Chart("bar", "tier", ("members",))

    def rows(self, period):
        counts = dict(
            Member.objects.filter(status=Member.ACTIVE, joined_at__lt=period.end_before)
            .values_list("tier")
            .annotate(n=Count("pk"))
            .order_by()
        )
        total = sum(counts.values())
        rows = [{"tier": str(_("No tier")), "members": counts.get(None, 0)}]
        rows += [
            {"tier": tier.display_name, "members": counts.get(tier.pk, 0)}
            for tier in Tier.objects.all()
        ]
        for row in rows:
            row["share"] = ratio(row["members"], total)
        return rows


@register
class TierMovementReport(Report):
    key = "tier_movement"
    order = 70
    title = _("Tier movement")
    description = _(
        "Tier changes per period: up to a tier with a higher qualifying spend, or down."
    )
    daily = True
    columns = (
        Column("period", _("Period"), "date"),
        Column("upgrades", _("Moved up")),
        Column("downgrades", _("Moved down")),
    )
    chart = Chart("stacked", "period", ("upgrades", "downgrades"))

    def rows(self, period):
        changes = TierChange.objects.annotate(
            was=Coalesce("from_tier__qualifying_spend", Value(Decimal("-1"))),
            now=Coalesce("to_tier__qualifying_spend", Value(Decimal("-1"))),
        )
        counts = counts_by_bucket(
            changes,
            "created_at",
            period,
            up=Count("pk", filter=Q(now__gt=F("was"))),
            down=Count("pk", filter=Q(now__lt=F("was"))),
        )
        return [
            {
                "period": day,
                "upgrades": counts.get(day, {}).get("up", 0),
                "downgrades": counts.get(day, {}).get("down", 0),
            }
            for day in period.buckets()
        ]
