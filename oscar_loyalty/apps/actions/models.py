"""Points for actions other than buying: the rules staff set, and what each member earned.

State and invariants:

* ``ActionRule``: what an action is worth and to whom. Changing a rule never
  changes what was earned (each credit keeps its own points).
* ``ActionAward``: one rule, one member, one object (a product reviewed, a
  year of membership, a store's own key). Unique on those three, so an action
  earns once however often it is reported; ``status`` says whether its points
  stand now. Taking back and earning again alternate, each a ledger entry.
* ``ActionCredit``: which ledger entry each earning or taking back wrote,
  append-only like the ledger: the entry names its rule and object through it.

Every change goes through ``services``, inside one transaction with the
member's points account locked.
"""

from __future__ import annotations

from datetime import datetime

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.models_base import AppendOnlyModel

#: A custom action's code: ASCII letters, digits, "_" and "-". Strict on
#: purpose: a look-alike letter from another script never matches a rule.
CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}\Z"


class ActionRule(models.Model):
    """Points for one kind of action, with its switch, schedule, cap and audience."""

    REVIEW, NEWSLETTER, PROFILE, ANNIVERSARY, CUSTOM = (
        "review",
        "newsletter",
        "profile",
        "anniversary",
        "custom",
    )
    KIND_CHOICES = [
        (REVIEW, _("Approved product review (once per product)")),
        (NEWSLETTER, _("Confirmed newsletter subscription (once)")),
        (PROFILE, _("Completed profile (once)")),
        (ANNIVERSARY, _("Membership anniversary (each year)")),
        (CUSTOM, _("Custom action reported by the store")),
    ]
    DAY, WEEK, MONTH, YEAR, EVER = "day", "week", "month", "year", "ever"
    PERIOD_CHOICES = [
        (DAY, _("per day")),
        (WEEK, _("per week")),
        (MONTH, _("per month")),
        (YEAR, _("per year")),
        (EVER, _("in total")),
    ]

    name = models.CharField(_("name"), max_length=128)
    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        validators=[
            RegexValidator(
                CODE_PATTERN,
                _("Use lower-case English letters, digits, “_” and “-” only."),
            )
        ],
        help_text=_("How the store names the action, e.g. app_download."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES)
    points = models.PositiveIntegerField(
        _("points"), validators=[MinValueValidator(1)], help_text=_("Points per action.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, help_text=_("Empty: no end."))
    cap_count = models.PositiveIntegerField(
        _("at most"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Times a member may earn it in each period. Empty: no limit."),
    )
    cap_period = models.CharField(_("period"), max_length=8, choices=PERIOD_CHOICES, default=MONTH)
    tiers = models.ManyToManyField(
        "loyalty_membership.Tier",
        blank=True,
        related_name="+",
        verbose_name=_("only for the tiers"),
        help_text=_("Empty: every tier."),
    )
    # The id of a saved segment (loyalty_segments.Segment), not a foreign key:
    # the segments app is optional. Without it, a rule naming a segment earns
    # nothing (fails closed) and the system check says so.
    segment_id = models.PositiveBigIntegerField(_("only for the segment"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name = _("action rule")
        verbose_name_plural = _("action rules")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_action_rule_points"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="loyalty_action_rule_schedule",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_running(self, now: datetime | None = None) -> bool:
        """Switched on and inside its schedule (starts inclusive, ends exclusive)."""
        now = now or timezone.now()
        return (
            self.is_active
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or self.ends_at > now)
        )


class ActionAward(models.Model):
    """What one member earned from one rule for one object; at most one row each."""

    EARNED, REVERSED = "earned", "reversed"
    STATUS_CHOICES = [(EARNED, _("Earned")), (REVERSED, _("Taken back"))]

    rule = models.ForeignKey(ActionRule, on_delete=models.PROTECT, related_name="awards")
    member = models.ForeignKey(
        "loyalty_membership.Member", on_delete=models.PROTECT, related_name="+"
    )
    #: Which object earned it: "product:<id>", "anniversary:<year>", "once",
    #: or the store's own key for a custom action.
    object_key = models.CharField(_("object"), max_length=128)
    #: The caller's retry key (custom actions); a second call with it changes nothing.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=STATUS_CHOICES)
    #: Points of the last earning (what a taking back takes).
    points = models.PositiveIntegerField(_("points"))
    #: Invariant: earnings == takings back + (1 if earned else 0).
    times_earned = models.PositiveIntegerField(default=0)
    earned_at = models.DateTimeField(_("earned"), db_index=True)
    reversed_at = models.DateTimeField(_("taken back"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-earned_at", "-pk"]
        verbose_name = _("action award")
        verbose_name_plural = _("action awards")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "member", "object_key"], name="loyalty_action_award_once"
            )
        ]
        indexes = [models.Index(fields=["member", "rule", "status", "earned_at"])]

    def __str__(self) -> str:
        return f"{self.rule_id}:{self.member_id}:{self.object_key} ({self.status})"


class ActionCredit(AppendOnlyModel):
    """The ledger entry of one earning (positive) or taking back (negative) of an award."""

    entry = models.OneToOneField(
        "loyalty_points.PointsEntry", on_delete=models.PROTECT, related_name="action_credit"
    )
    award = models.ForeignKey(ActionAward, on_delete=models.PROTECT, related_name="credits")
    # The award's rule again, so the per-rule report groups without a join.
    rule = models.ForeignKey(ActionRule, on_delete=models.PROTECT, related_name="credits")
    points = models.BigIntegerField(_("points"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("action credit")
        verbose_name_plural = _("action credits")

    def __str__(self) -> str:
        return f"{self.award_id} {self.points:+d}"
