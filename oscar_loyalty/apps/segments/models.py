"""Saved segments (named rule trees over members) and the daily member statistics.

A segment stores its rules, not its members: it is evaluated each time it is
used (``services.members_in``), as one queryset, so it never goes stale.
``MemberStats`` holds the figures a live query cannot give fast enough at a
million members: RFM quintiles need a ranking over everyone's orders.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def empty_rules() -> dict:
    return {"op": "and", "rules": []}


class Segment(models.Model):
    """A named, saved audience: a tree of AND/OR groups of conditions (see ``rules``)."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    description = models.TextField(_("description"), blank=True)
    # ``{"op": "and"|"or", "rules": [<condition> | <group>, ...]}`` where a
    # condition is ``{"type": "<criterion key>", "params": {...}}``. Always
    # validated by ``rules.validate_rules`` before it is saved.
    rules = models.JSONField(_("rules"), default=empty_rules)
    # The count shown in lists: refreshed when the segment is saved or counted
    # in the dashboard, never used to decide who gets anything.
    last_count = models.PositiveIntegerField(_("members at last count"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class MemberStats(models.Model):
    """One member's order figures and RFM quintiles, recomputed daily in one SQL statement.

    Only members with at least one counted order have a row. Scores are 1-5,
    5 best: most recent last order, most orders, highest spend (``NTILE(5)``
    over all members with orders; members with equal figures may fall into
    neighbouring quintiles).
    """

    member = models.OneToOneField(
        "loyalty_membership.Member",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="loyalty_stats",
    )
    orders_count = models.PositiveIntegerField(_("orders"), default=0)
    spend = models.DecimalField(
        _("spend"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    # The same figures over the last 30, 90 and 365 days (as of ``computed_at``):
    # segments on those periods read them instead of aggregating orders live.
    orders_30d = models.PositiveIntegerField(default=0)
    orders_90d = models.PositiveIntegerField(default=0)
    orders_365d = models.PositiveIntegerField(default=0)
    spend_30d = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    spend_90d = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    spend_365d = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    first_order_at = models.DateTimeField(_("first order"), null=True, blank=True)
    last_order_at = models.DateTimeField(_("last order"), null=True, blank=True)
    recency_score = models.PositiveSmallIntegerField(_("recency score"), default=0)
    frequency_score = models.PositiveSmallIntegerField(_("frequency score"), default=0)
    monetary_score = models.PositiveSmallIntegerField(_("monetary score"), default=0)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("member statistics")
        verbose_name_plural = _("member statistics")
        indexes = [
            models.Index(
                fields=["recency_score", "frequency_score", "monetary_score"],
                name="loyalty_stats_rfm",
            ),
            models.Index(fields=["last_order_at"], name="loyalty_stats_last_order"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.member_id}: R{self.recency_score} F{self.frequency_score} "
            f"M{self.monetary_score}"
        )
