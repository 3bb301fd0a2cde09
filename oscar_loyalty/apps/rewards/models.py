"""The rewards catalogue: what members buy with points, and each redemption.

Invariants (``services`` keeps them, with the rows locked):

* ``Reward.stock`` (when not unlimited) == the stock staff set, less the
  redemptions still holding a unit (``reserved`` or ``captured``);
* a redemption's ``debit_entry`` took exactly ``points`` from the ledger,
  and at most one ``return_entry`` gives them back (its unique idempotency
  key ``reward-return:<pk>`` and the conditional status change make it once);
* ``status == returned`` iff ``return_entry`` is set.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.models_base import StaffTranslations
from oscar_loyalty.money import ZERO


class Reward(StaffTranslations):
    """One item of the catalogue: a voucher, a gift product, or a product for points plus cash."""

    VOUCHER, GIFT, POINTS_PLUS_CASH = "voucher", "gift", "points_cash"
    KIND_CHOICES = [
        (VOUCHER, _("Voucher")),
        (GIFT, _("Gift product")),
        (POINTS_PLUS_CASH, _("Product for points plus cash")),
    ]
    #: The kinds that put a product in the basket (held until the order).
    BASKET_KINDS = (GIFT, POINTS_PLUS_CASH)

    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    translated_fields = ("name", "description")
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES)
    points = models.PositiveIntegerField(_("points"), validators=[MinValueValidator(1)])
    cash = models.DecimalField(
        _("cash to pay"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Points plus cash only: what the member still pays for the product."),
    )
    product = models.ForeignKey(
        "catalogue.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product"),
        help_text=_("Gift and points plus cash: the product put in the basket."),
    )
    voucher_offer = models.ForeignKey(
        "offer.ConditionalOffer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"offer_type": "Voucher"},
        verbose_name=_("voucher offer"),
        help_text=_("Voucher only: the voucher offer behind each single-use voucher."),
    )
    voucher_days = models.PositiveSmallIntegerField(
        _("voucher valid for (days)"), default=30, validators=[MinValueValidator(1)]
    )
    # Null: unlimited. Decremented under the row lock (services.redeem).
    stock = models.PositiveIntegerField(
        _("stock"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    per_member_limit = models.PositiveIntegerField(
        _("limit per member"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    # Eligibility: no tier chosen means every tier (and members without one).
    tiers = models.ManyToManyField(
        "loyalty_membership.Tier", blank=True, related_name="+", verbose_name=_("tiers")
    )
    # A segment of the segments app, when installed (optional: a plain id, no
    # foreign key, so the catalogue works without that app).
    segment_id = models.PositiveBigIntegerField(_("segment"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "points", "pk"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_reward_points"),
            models.CheckConstraint(condition=Q(cash__gte=0), name="loyalty_reward_cash"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_description(self) -> str:
        return self.translated("description")

    @property
    def in_basket(self) -> bool:
        return self.kind in self.BASKET_KINDS

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.is_active
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or self.ends_at > now)
        )

    def clean(self) -> None:
        errors = {}
        if self.kind == self.VOUCHER and self.voucher_offer_id is None:
            errors["voucher_offer"] = _("A voucher reward needs a voucher offer.")
        if self.kind in self.BASKET_KINDS and self.product_id is None:
            errors["product"] = _("This kind of reward needs a product.")
        if self.kind != self.POINTS_PLUS_CASH and self.cash:
            errors["cash"] = _("Only a points plus cash reward has a cash part.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must be after the start.")
        if errors:
            raise ValidationError(errors)


class RewardRedemption(models.Model):
    """A member's redemption of a reward: points debited at once, returned at most once.

    * **reserved**: a gift (or points-plus-cash product) waits in the basket;
      its points are already debited, its unit of stock held, until
      ``expires_at``;
    * **captured**: the order took it (``order``), or the voucher was issued;
    * **returned**: the points came back (``return_entry``): the line left
      the basket, the hold lapsed, the order was cancelled, or the voucher
      expired unused. The stock unit comes back with them.
    """

    RESERVED, CAPTURED, RETURNED = "reserved", "captured", "returned"
    STATUS_CHOICES = [
        (RESERVED, _("In the basket")),
        (CAPTURED, _("Redeemed")),
        (RETURNED, _("Points returned")),
    ]
    HOLDING = (RESERVED, CAPTURED)

    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    member = models.ForeignKey(
        "loyalty_membership.Member", on_delete=models.PROTECT, related_name="reward_redemptions"
    )
    # The client's key for the request (a form's hidden field, an API header),
    # prefixed with the member: a replayed POST finds this row and redeems nothing.
    request_key = models.CharField(max_length=160)
    points = models.PositiveBigIntegerField(_("points"))
    cash = models.DecimalField(_("cash"), max_digits=12, decimal_places=2, default=ZERO)
    status = models.CharField(_("status"), max_length=16, choices=STATUS_CHOICES)
    basket = models.ForeignKey(
        "basket.Basket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.ForeignKey(
        "order.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voucher = models.OneToOneField(
        "voucher.Voucher", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    debit_entry = models.OneToOneField(
        "loyalty_points.PointsEntry", on_delete=models.PROTECT, related_name="+"
    )
    return_entry = models.OneToOneField(
        "loyalty_points.PointsEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reward redemption")
        verbose_name_plural = _("reward redemptions")
        constraints = [
            models.UniqueConstraint(fields=["request_key"], name="loyalty_reward_red_key"),
            models.CheckConstraint(
                condition=(
                    Q(status="returned", return_entry__isnull=False)
                    | (~Q(status="returned") & Q(return_entry__isnull=True))
                ),
                name="loyalty_reward_red_returned_iff_entry",
            ),
        ]
        indexes = [
            models.Index(fields=["reward", "member", "status"], name="loyalty_reward_red_member"),
            models.Index(
                fields=["basket"],
                condition=Q(status="reserved"),
                name="loyalty_reward_red_basket",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reward_id}: {self.points} ({self.status})"


# The offer proxies (Oscar condition and benefit) are models of this app:
# imported here so Django registers them, and their migration, with the rest.
from .offer import RewardBenefit, RewardCondition  # noqa: E402

__all__ = ["Reward", "RewardBenefit", "RewardCondition", "RewardRedemption"]
