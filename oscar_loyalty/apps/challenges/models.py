"""Challenges: goals a member reaches over several club events, and their rewards.

* A ``Challenge`` is data, not code: its ``kind`` says what a step is (an
  order, a category bought from, a friend referred, an approved review), its
  ``target`` how many steps complete it; ``period_days`` bounds the orders kind
  ("3 orders in 30 days"). A window, an optional segment, a reward and a limit
  per member complete it.
* ``Participation`` is one member's row for one challenge. It is the lock:
  every change of the member's steps and completions happens with it locked
  (``services``), so two order events at once complete a challenge once.
* A ``ChallengeStep`` is keyed by its source (``order:<pk>``,
  ``order:<pk>:category:<pk>``, ``referral:<pk>``, ``review:<pk>``): a replayed
  event finds it and changes nothing. Undone steps stay (``undone_at``), so
  a replay after a refund cannot bring one back.
* A ``Completion`` holds the steps it used and its reward; reversing it
  (a step it used was undone) reverses the reward once, under the ledger key
  ``challenge:<pk>:reverse``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChallengeQuerySet(models.QuerySet):
    def running(self, at):
        """Switched on, and ``at`` inside the window."""
        return self.filter(is_active=True, starts_at__lte=at).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=at)
        )


class Challenge(models.Model):
    ORDERS, CATEGORIES, REFERRALS, REVIEWS = "orders", "categories", "referrals", "reviews"
    KIND_CHOICES = [
        (ORDERS, _("Place orders")),
        (CATEGORIES, _("Buy from different categories")),
        (REFERRALS, _("Refer friends")),
        (REVIEWS, _("Write approved reviews")),
    ]
    POINTS, VOUCHER, DRAW = "points", "voucher", "draw"
    REWARD_CHOICES = [
        (POINTS, _("Points")),
        (VOUCHER, _("A voucher")),
        (DRAW, _("An entry in a prize draw")),
    ]

    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES)
    target = models.PositiveSmallIntegerField(
        _("steps to complete"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Orders, categories, friends or reviews needed."),
    )
    period_days = models.PositiveSmallIntegerField(
        _("within days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
        help_text=_("Orders only: the steps must fall within this many days of each other."),
    )
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    segment = models.ForeignKey(
        "loyalty_segments.Segment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("segment"),
        help_text=_("Leave empty for every member."),
    )
    reward_kind = models.CharField(
        _("reward"), max_length=16, choices=REWARD_CHOICES, default=POINTS
    )
    reward_points = models.PositiveIntegerField(
        _("points"), default=0, validators=[MaxValueValidator(10_000_000)]
    )
    reward_offer = models.ForeignKey(
        "offer.ConditionalOffer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("voucher offer"),
        limit_choices_to={"offer_type": "Voucher"},
    )
    reward_draw = models.ForeignKey(
        "loyalty_offers.PrizeDraw",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prize draw"),
    )
    max_completions = models.PositiveSmallIntegerField(
        _("times a member can complete it"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=1), name="loyalty_chal_target"),
            models.CheckConstraint(
                condition=Q(max_completions__gte=1), name="loyalty_chal_max_completions"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="loyalty_chal_window",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must be after the start.")
        if self.reward_kind == self.POINTS and not self.reward_points:
            errors["reward_points"] = _("Give the points the reward is worth.")
        if self.reward_kind == self.VOUCHER and not self.reward_offer_id:
            errors["reward_offer"] = _("Choose the voucher offer of the reward.")
        if self.reward_kind == self.DRAW and not self.reward_draw_id:
            errors["reward_draw"] = _("Choose the prize draw of the reward.")
        if self.period_days and self.kind != self.ORDERS:
            errors["period_days"] = _("Only an orders challenge has a period.")
        if errors:
            raise ValidationError(errors)

    def is_running(self, at=None) -> bool:
        at = at or timezone.now()
        return self.is_active and self.starts_at <= at and (not self.ends_at or at < self.ends_at)


class Participation(models.Model):
    """One member in one challenge: the row locked for every change, and the funnel's counts."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="participations"
    )
    member = models.ForeignKey(
        "loyalty_membership.Member", on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Completions not reversed (kept with each change, under the row lock).
    completions = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("challenge participation")
        verbose_name_plural = _("challenge participations")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "member"], name="loyalty_chal_participation_once"
            )
        ]


class Completion(models.Model):
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="completion_set"
    )
    number = models.PositiveSmallIntegerField()
    completed_at = models.DateTimeField()
    reward_kind = models.CharField(max_length=16, choices=Challenge.REWARD_CHOICES)
    points = models.PositiveIntegerField(default=0)
    voucher = models.ForeignKey(
        "voucher.Voucher", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An entry (one ticket) in this draw while not reversed; the draw reads it.
    draw = models.ForeignKey(
        "loyalty_offers.PrizeDraw",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["completed_at", "pk"]
        verbose_name = _("challenge completion")
        verbose_name_plural = _("challenge completions")
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "number"], name="loyalty_chal_completion_number"
            )
        ]

    @property
    def points_key(self) -> str:
        return f"challenge:{self.pk}"

    @property
    def reversal_key(self) -> str:
        return f"challenge:{self.pk}:reverse"


class ChallengeStep(models.Model):
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="steps"
    )
    # What makes it unique (a replay finds it), and what it counts as: the
    # categories kind counts distinct values, the others every step.
    key = models.CharField(max_length=96)
    value = models.CharField(max_length=64)
    # What undoes it: every step of one order, referral or review at once.
    source = models.CharField(max_length=64, db_index=True)
    occurred_at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    completion = models.ForeignKey(
        Completion, null=True, blank=True, on_delete=models.SET_NULL, related_name="steps"
    )

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("challenge step")
        verbose_name_plural = _("challenge steps")
        constraints = [
            models.UniqueConstraint(fields=["participation", "key"], name="loyalty_chal_step_once")
        ]
