"""Member prices, member-only offer rules, gifts and prize draws.

Invariants kept by the database, not only by forms:

* a member price is never negative; a tier discount is 0-100 % and targets
  exactly one of a range or a category;
* a gift is issued once per key (``welcome:<member>``, ``birthday:<member>:<year>``);
* a draw has at most one winner row per member.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


class MemberPrice(models.Model):
    """The absolute price a member pays for one stock record (excluding tax, as ``price``)."""

    stockrecord = models.OneToOneField(
        "partner.StockRecord",
        on_delete=models.CASCADE,
        related_name="loyalty_member_price",
        verbose_name=_("stock record"),
    )
    price = models.DecimalField(
        _("member price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
    )
    segment = models.ForeignKey(
        "loyalty_segments.Segment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("only for the segment"),
        help_text=_("Empty: every member with benefits."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member price")
        verbose_name_plural = _("member prices")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="loyalty_member_price_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.stockrecord_id}: {self.price}"


class TierDiscount(models.Model):
    """A percentage off the regular price for members of a tier, on a range or a category."""

    tier = models.ForeignKey(
        "loyalty_membership.Tier",
        on_delete=models.CASCADE,
        related_name="loyalty_discounts",
        verbose_name=_("tier"),
    )
    range = models.ForeignKey(
        "offer.Range",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("range"),
    )
    category = models.ForeignKey(
        "catalogue.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Includes its sub-categories."),
    )
    percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(HUNDRED)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tier discount")
        verbose_name_plural = _("tier discounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="loyalty_tier_discount_0_100"
            ),
            models.CheckConstraint(
                condition=(
                    Q(range__isnull=False, category__isnull=True)
                    | Q(range__isnull=True, category__isnull=False)
                ),
                name="loyalty_tier_discount_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier}: {self.percent}% {self.range or self.category}"


class MemberOfferRule(models.Model):
    """Which segment (none: every member with benefits) a members-only condition admits."""

    condition = models.OneToOneField(
        "offer.Condition", on_delete=models.CASCADE, related_name="loyalty_member_rule"
    )
    segment = models.ForeignKey(
        "loyalty_segments.Segment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("only for the segment"),
    )

    class Meta:
        verbose_name = _("members-only rule")

    def __str__(self) -> str:
        return f"Members-only rule for condition {self.condition_id}"


class MemberGift(models.Model):
    """A welcome or birthday gift issued to a member; the unique ``key`` makes it idempotent."""

    WELCOME, BIRTHDAY = "welcome", "birthday"
    KIND_CHOICES = [(WELCOME, _("Welcome gift")), (BIRTHDAY, _("Birthday gift"))]

    key = models.CharField(max_length=64, unique=True)
    member = models.ForeignKey(
        "loyalty_membership.Member", on_delete=models.CASCADE, related_name="loyalty_gifts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES)
    voucher = models.OneToOneField(
        "voucher.Voucher",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loyalty_gift",
    )
    points = models.PositiveIntegerField(default=0)
    occasion = models.DateField(_("occasion"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("member gift")
        verbose_name_plural = _("member gifts")

    def __str__(self) -> str:
        return self.key


class PrizeDraw(models.Model):
    """A raffle among members. Once run, ``seed`` and ``entries`` let anyone re-run it."""

    PER_MEMBER, PER_SPEND = "member", "spend"
    ENTRY_CHOICES = [
        (PER_MEMBER, _("One entry per member")),
        (PER_SPEND, _("One entry per amount spent")),
    ]

    name = models.CharField(_("name"), max_length=128)
    prize = models.CharField(_("prize"), max_length=255)
    winners_count = models.PositiveSmallIntegerField(
        _("number of winners"), default=1, validators=[MinValueValidator(1)]
    )
    tiers = models.ManyToManyField(
        "loyalty_membership.Tier",
        blank=True,
        related_name="+",
        verbose_name=_("tiers"),
        help_text=_("Leave empty for every tier (and members without one)."),
    )
    min_spend = models.DecimalField(
        _("minimum spend"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    spend_from = models.DateTimeField(_("spend counted from"), null=True, blank=True)
    spend_until = models.DateTimeField(_("spend counted until"), null=True, blank=True)
    requires_marketing_consent = models.BooleanField(
        _("marketing consent required"), default=False
    )
    entry_mode = models.CharField(
        _("entries"), max_length=16, choices=ENTRY_CHOICES, default=PER_MEMBER
    )
    spend_per_entry = models.DecimalField(
        _("amount per entry"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    is_active = models.BooleanField(_("active"), default=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)

    # The record of the run: everything needed to reproduce it.
    drawn_at = models.DateTimeField(null=True, blank=True)
    seed = models.CharField(max_length=64, blank=True)
    entries = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("prize draw")
        verbose_name_plural = _("prize draws")
        constraints = [
            models.CheckConstraint(
                condition=~Q(entry_mode="spend") | Q(spend_per_entry__gt=0),
                name="loyalty_draw_spend_per_entry",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None

    def is_running(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.is_active
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or self.ends_at > now)
        )


class DrawWinner(models.Model):
    """One winner of a draw, in the order drawn."""

    draw = models.ForeignKey(PrizeDraw, on_delete=models.CASCADE, related_name="winners")
    member = models.ForeignKey(
        "loyalty_membership.Member", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["draw", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "member"], name="loyalty_draw_winner_once"),
            models.UniqueConstraint(fields=["draw", "position"], name="loyalty_draw_position"),
        ]

    def __str__(self) -> str:
        return f"{self.draw} #{self.position}: {self.member}"


class PriceBookVersion(models.Model):
    """One row: a token that changes whenever anything a price book caches changes.

    Member prices, tier discounts and the products that sell plans are the
    same for every shopper of a tier, so each process keeps the price book's
    query result under ``(tier, token)`` (``pricing``). The club context reads
    the token in its one query per request, so a change made by any process
    is seen by every process on its next request. Bumped by the receivers on
    ``MemberPrice``, ``TierDiscount`` and ``Plan`` (``pricing.bump_price_book``
    after writes that bypass ``save``, such as ``bulk_create``).

    A random token, not a counter: a rolled-back bump never reuses a value.
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("price book version")

    def __str__(self) -> str:
        return self.token


# The members-only condition is an Oscar offer proxy and so a model of this
# app: imported here so Django registers it, and its migration, with the rest.
from .conditions import MemberOnlyCondition  # noqa: E402, F401
from .perks import TierCondition, TierPerkRule  # noqa: E402, F401
from .tier_only import TierOnlyRange  # noqa: E402, F401
