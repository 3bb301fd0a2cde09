"""The referral app's report: the referral funnel.

Found by the report registry (``oscar_loyalty.reporting``) when this app is
installed. Every metric's exact definition is in docs/reports.md.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.reporting import Chart, Column, Report, counts_by_bucket, register

from .models import Referral, ReferralVisit
from .stats import ORDERED


@register
class ReferralFunnelReport(Report):
    key = "referrals"
    order = 80
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
