"""The actions app's report: points issued per rule.

Found by the report registry (``oscar_loyalty.reporting``) when this app is
installed. Read from the ledger's own records of each earning and taking back
(``ActionCredit``), so it agrees with the points ledger to the point.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.reporting import Chart, Column, Report, register

from .models import ActionCredit, ActionRule


@register
class ActionPointsReport(Report):
    key = "actions"
    order = 85
    title = _("Points for actions, per rule")
    description = _(
        "For each rule, in the chosen range: the awards earned, the points issued, the "
        "points taken back (reviews removed, actions undone) and the net."
    )
    columns = (
        Column("rule", _("Rule"), "text"),
        Column("kind", _("Kind"), "text"),
        Column("earned", _("Awards earned")),
        Column("issued", _("Points issued")),
        Column("taken_back", _("Points taken back")),
        Column("net", _("Net points")),
    )
    chart = Chart("bar", "rule", ("issued", "taken_back"))

    def rows(self, period):
        grouped = (
            ActionCredit.objects.filter(
                created_at__gte=period.start_at, created_at__lt=period.end_before
            )
            .values("rule_id", "rule__name", "rule__kind")
            .annotate(
                earned=Count("pk", filter=Q(points__gt=0)),
                issued=Sum("points", filter=Q(points__gt=0), default=0),
                taken_back=Sum("points", filter=Q(points__lt=0), default=0),
            )
            .order_by("-issued", "rule__name", "rule_id")
        )

        kinds = dict(ActionRule.KIND_CHOICES)
        return [
            {
                "rule": row["rule__name"],
                "kind": str(kinds.get(row["rule__kind"], row["rule__kind"])),
                "earned": row["earned"],
                "issued": row["issued"],
                "taken_back": -row["taken_back"],
                "net": row["issued"] + row["taken_back"],
            }
            for row in grouped
        ]
