"""The club reports: tiers, tier movement, the referral funnel and acquisition.

Split from ``definitions`` (the member, points and purchase reports) only for
size; the registry loads both, in this order. Every metric's exact definition
is in docs/reports.md; keep the two in step.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.apps.membership.models import Member, Tier, TierChange
from oscar_loyalty.apps.referrals.models import Referral, ReferralVisit
from oscar_loyalty.apps.referrals.stats import ORDERED

from .definitions import counts_by_bucket
from .models import MemberFacts
from .registry import PRECOMPUTED, Chart, Column, Report, ratio, register


@register
class TierDistributionReport(Report):
    key = "tiers"
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
            {"tier": tier.name, "members": counts.get(tier.pk, 0)} for tier in Tier.objects.all()
        ]
        for row in rows:
            row["share"] = ratio(row["members"], total)
        return rows


@register
class TierMovementReport(Report):
    key = "tier_movement"
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


@register
class ReferralFunnelReport(Report):
    key = "referrals"
    title = _("Referral funnel")
    description = _(
        "Share-link visits, then referrals created in each period and how far they got."
    )
    columns = (
        Column("period", _("Period"), "date"),
        Column("visits", _("Link visits")),
        Column("sign_ups", _("Sign-ups")),
        Column("first_orders", _("First orders")),
        Column("rewards", _("Rewarded")),
        Column("reversed", _("Reversed")),
    )
    chart = Chart("bar", "period", ("visits", "sign_ups", "first_orders", "rewards"))

    def rows(self, period):
        visits = counts_by_bucket(ReferralVisit.objects.all(), "created_at", period, n=Count("pk"))
        referrals = counts_by_bucket(
            Referral.objects.all(),
            "created_at",
            period,
            sign_ups=Count("pk"),
            first_orders=Count("pk", filter=Q(first_order__isnull=False) | Q(status__in=ORDERED)),
            rewards=Count("pk", filter=Q(status=Referral.REWARDED)),
            reversed=Count("pk", filter=Q(status=Referral.REVERSED)),
        )
        rows = []
        for day in period.buckets():
            row = {"period": day, "visits": visits.get(day, {}).get("n", 0)}
            got = referrals.get(day, {})
            for key in ("sign_ups", "first_orders", "rewards", "reversed"):
                row[key] = got.get(key, 0)
            rows.append(row)
        return rows


@register
class AcquisitionReport(Report):
    key = "acquisition"
    title = _("Acquisition channel → first order → repeat order")
    description = _(
        "Members who joined in the range, by acquisition channel: how many ordered, and how "
        "many ordered again (up to now)."
    )
    source = PRECOMPUTED
    columns = (
        Column("channel", _("Channel"), "text"),
        Column("members", _("Members")),
        Column("first_order", _("First order")),
        Column("repeat_order", _("Repeat order")),
        Column("first_order_rate", _("Ordered"), "percent"),
        Column("repeat_rate", _("Ordered again (of those who ordered)"), "percent"),
    )
    chart = Chart("bar", "channel", ("members", "first_order", "repeat_order"))

    def rows(self, period):
        grouped = (
            MemberFacts.objects.filter(
                joined_at__gte=period.start_at, joined_at__lt=period.end_before
            )
            .values("channel")
            .annotate(
                members=Count("pk"),
                first_order=Count("pk", filter=Q(first_order_at__isnull=False)),
                repeat_order=Count("pk", filter=Q(second_order_at__isnull=False)),
            )
            .order_by("-members", "channel")
        )
        return [
            {
                **row,
                "channel": row["channel"] or str(_("Unknown")),
                "first_order_rate": ratio(row["first_order"], row["members"]),
                "repeat_rate": ratio(row["repeat_order"], row["first_order"]),
            }
            for row in grouped
        ]
