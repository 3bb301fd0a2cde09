"""This app's own reports: those on the precomputed figures it keeps.

The report registry (``oscar_loyalty.reporting``) imports ``loyalty_reports``
of every installed app; the other apps' reports live in theirs.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.reporting import PRECOMPUTED, Chart, Column, Report, ratio, register

from . import definitions  # noqa: F401  (registers members, points, breakage, ...)
from .models import MemberFacts


@register
class AcquisitionReport(Report):
    key = "acquisition"
    order = 90
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
