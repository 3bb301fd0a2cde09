"""Precomputed figures the reports read where a live query over millions of rows is too slow.

Both tables are caches: ``figures.refresh_figures`` rebuilds them from the
orders, the points ledger and the members at any time (set-based SQL, never a
loop over members), and running it twice gives the same rows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DailyFigure(models.Model):
    """One number for one day (or month, for monthly metrics) and one dimension.

    ``date`` is a local calendar day (``TIME_ZONE``); monthly metrics use the
    first day of the month. ``dimension`` splits a metric ("earn", a cohort
    month "2025-03", …); empty when the metric has none.
    """

    metric = models.CharField(max_length=64)
    dimension = models.CharField(max_length=64, blank=True, default="")
    date = models.DateField()
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("report figure")
        verbose_name_plural = _("report figures")
        ordering = ["metric", "dimension", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "dimension", "date"], name="loyalty_rpt_figure_unique"
            )
        ]
        indexes = [models.Index(fields=["metric", "date"], name="loyalty_rpt_figure_date")]

    def __str__(self) -> str:
        return f"{self.metric}[{self.dimension}] {self.date}: {self.value}"


class MemberFacts(models.Model):
    """Per member: acquisition channel and first/second order, for funnels and repeat rates.

    Finding "the second order of each member" over millions of orders is what
    cannot be done live in three seconds; one narrow row per member can be
    grouped in well under one.
    """

    member = models.OneToOneField(
        "loyalty_membership.Member",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="report_facts",
    )
    joined_at = models.DateTimeField(db_index=True)
    channel = models.CharField(max_length=32, blank=True, default="")
    first_order_at = models.DateTimeField(null=True, blank=True, db_index=True)
    second_order_at = models.DateTimeField(null=True, blank=True, db_index=True)
    orders = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("member report facts")
        verbose_name_plural = _("member report facts")

    def __str__(self) -> str:
        return f"{self.member_id}: {self.orders}"


class FigureRefresh(models.Model):
    """One run of ``loyalty_refresh_report_figures``: how fresh the precomputed reports are."""

    since = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    figures = models.PositiveIntegerField(default=0)
    facts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("report figures refresh")
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} (since {self.since or 'the start'})"
