"""Points state and its invariants.

The ledger (``PointsEntry``) is the truth; everything else is a cache that
``loyalty_verify_points`` checks and can rebuild:

* ``PointsAccount.balance`` == sum of its entries' ``points``;
* ``PointsAccount.debt`` == sum of its entries' ``debt``;
* ``PointsAccount.pending`` == unreversed points of its pending earnings;
* each lot's ``remaining`` == ``points`` minus the sum of its uses, and the
  remaining points of all lots == ``max(balance, 0)``.

Every change goes through ``services``/``earning``/``redemption``/``reversal``,
inside one transaction with the account row locked.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.models_base import AppendOnlyModel


class PointsAccount(models.Model):
    """One member's points: cached totals, changed only with this row locked."""

    member = models.OneToOneField(
        "loyalty_membership.Member", on_delete=models.PROTECT, related_name="points_account"
    )
    # Invariant: == Sum(entries.points). Never below zero unless
    # OSCAR_LOYALTY_POINTS_ALLOW_NEGATIVE_BALANCE is on.
    balance = models.BigIntegerField(_("balance"), default=0)
    # Invariant: == Sum(entries.debt). Points reversed after they were spent;
    # the next credits pay it off before anything reaches the balance.
    debt = models.PositiveBigIntegerField(_("debt"), default=0)
    # Invariant: == Sum(points - reversed_points) of pending earnings.
    pending = models.PositiveBigIntegerField(_("pending"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")

    def __str__(self) -> str:
        return f"{self.member} ({self.balance})"


class PointsEntry(AppendOnlyModel):
    """One change of a balance. Append-only: corrections are new entries."""

    EARN, REDEEM, REVERSE, EXPIRE, ADJUST, BONUS = (
        "earn",
        "redeem",
        "reverse",
        "expire",
        "adjust",
        "bonus",
    )
    KIND_CHOICES = [
        (EARN, _("Earned")),
        (REDEEM, _("Spent")),
        (REVERSE, _("Reversed")),
        (EXPIRE, _("Expired")),
        (ADJUST, _("Adjusted by staff")),
        (BONUS, _("Bonus")),
    ]

    # No index of its own: "loyalty_pts_entry_acct" (account, -created_at) serves
    # every lookup by account; one index less on the ledger's hottest insert path.
    account = models.ForeignKey(
        PointsAccount, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES, db_index=True)
    # Signed change of the balance.
    points = models.BigIntegerField(_("points"))
    # Signed change of the debt (see PointsAccount.debt).
    debt = models.BigIntegerField(_("debt change"), default=0)
    reason = models.CharField(_("reason"), max_length=255)
    # PROTECT: an order with points history cannot be deleted from under it.
    # order, line, staff_user: indexed only where set (Meta.indexes), so the
    # many entries without them (expiry, bonuses) write three index rows less.
    order = models.ForeignKey(
        "order.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    line = models.ForeignKey(
        "order.Line",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # Points per currency unit at earning time; reversals use it, never today's rule.
    rate = models.DecimalField(_("rate"), max_digits=12, decimal_places=4, null=True, blank=True)
    # Unique (Meta.constraints): replaying a signal, a command or a form post
    # finds the entry and changes nothing. A constraint rather than
    # ``unique=True`` so PostgreSQL gets no second, LIKE-only index.
    idempotency_key = models.CharField(max_length=128)
    # SET_NULL is the one change an entry allows: erasing a staff account.
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [
            models.Index(fields=["account", "-created_at"], name="loyalty_pts_entry_acct"),
            models.Index(
                fields=["order"], condition=Q(order__isnull=False), name="loyalty_pts_entry_order"
            ),
            models.Index(
                fields=["line"], condition=Q(line__isnull=False), name="loyalty_pts_entry_line"
            ),
            models.Index(
                fields=["staff_user"],
                condition=Q(staff_user__isnull=False),
                name="loyalty_pts_entry_staff",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="loyalty_pts_entry_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"


class PointsLot(models.Model):
    """Points credited together, expiring together. Spending takes the soonest first."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="lots")
    entry = models.OneToOneField(PointsEntry, on_delete=models.PROTECT, related_name="lot")
    points = models.PositiveBigIntegerField(_("points"))
    # Invariant: 0 <= remaining <= points; == points - Sum(uses.points).
    remaining = models.PositiveBigIntegerField(_("remaining"))
    # Indexed only while the lot holds points (Meta.indexes): expiry empties lots,
    # and an emptied lot then leaves the index instead of adding a row to it.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Soonest expiry first, never-expiring last, then oldest: the spending order.
        ordering = [models.F("expires_at").asc(nulls_last=True), "created_at", "pk"]
        verbose_name = _("points lot")
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__lte=models.F("points")), name="loyalty_pts_lot_remaining"
            )
        ]
        indexes = [
            models.Index(
                fields=["account", "expires_at"],
                condition=Q(remaining__gt=0),
                name="loyalty_pts_lot_open",
            ),
            models.Index(
                fields=["expires_at"], condition=Q(remaining__gt=0), name="loyalty_pts_lot_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.remaining}/{self.points}"


class PointsLotUse(AppendOnlyModel):
    """Which lots an entry took points from (positive) or returned them to (negative)."""

    entry = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="lot_uses")
    lot = models.ForeignKey(PointsLot, on_delete=models.PROTECT, related_name="uses")
    points = models.BigIntegerField()
    # For a return: the debit whose points come back (so each is returned once).
    returned_from = models.ForeignKey(
        PointsEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # indexed where set (Meta.indexes): most uses are not returns
    )

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["returned_from"],
                condition=Q(returned_from__isnull=False),
                name="loyalty_pts_use_returned",
            )
        ]


class PointsEarning(models.Model):
    """What one order earns: pending until it matures, then a ledger entry and a lot."""

    PENDING, MATURED, CANCELLED = "pending", "matured", "cancelled"
    STATUS_CHOICES = [
        (PENDING, _("Pending")),
        (MATURED, _("Confirmed")),
        (CANCELLED, _("Cancelled")),
    ]
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="earnings")
    # One-to-one: the idempotency key of earning; replaying order_placed is a no-op.
    order = models.OneToOneField(
        "order.Order", on_delete=models.PROTECT, related_name="loyalty_points_earning"
    )
    points = models.PositiveBigIntegerField(_("points"))
    # Invariant: 0 <= reversed_points <= points; only grows.
    reversed_points = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=PENDING)
    matures_at = models.DateTimeField(db_index=True)
    matured_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("points earning")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.points}"

    @property
    def net_points(self) -> int:
        return self.points - self.reversed_points


class PointsEarningLine(models.Model):
    """The points one order line earned, and how much of it has been reversed."""

    earning = models.ForeignKey(PointsEarning, on_delete=models.CASCADE, related_name="lines")
    # Empty for the shipping charge (OSCAR_LOYALTY_POINTS_EARN_ON_SHIPPING).
    line = models.OneToOneField(
        "order.Line", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(default=1)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    rate = models.DecimalField(max_digits=12, decimal_places=4)
    points = models.PositiveBigIntegerField()
    # Invariants: only grow; reversed_quantity <= quantity, reversed_points <= points.
    reversed_quantity = models.PositiveIntegerField(default=0)
    reversed_points = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["pk"]


class PointsRedemption(models.Model):
    """Points a shopper applied to a basket: reserved, captured by the order, then settled.

    The life of a redemption, like a card payment's authorisation and capture:

    * **reserved**: the shopper applied the points; checked against the
      available balance with the account locked. Held until ``expires_at``.
    * **captured**: the order was placed. One conditional ``UPDATE`` inside
      Oscar's order transaction sets ``status``, ``order`` and
      ``captured_points``, so the order and the capture commit together.
    * **settled**: ``captured_entry`` is set. The ledger debit (entry, lots,
      totals) is written by the order's background task
      (``oscar_loyalty.orders``), or by ``settle_captured_redemptions`` if
      that task was lost; both are idempotent.

    Reserved-and-live and captured-not-settled points are *held*
    (``held_q``): every check of the available balance subtracts them, so
    points can be spent only once even before the ledger has the debit.
    """

    RESERVED, CAPTURED, RELEASED = "reserved", "captured", "released"
    STATUS_CHOICES = [
        (RESERVED, _("Reserved")),
        (CAPTURED, _("Spent")),
        (RELEASED, _("Released")),
    ]
    # SET_NULL: a captured redemption outlives its basket for later returns.
    basket = models.OneToOneField(
        "basket.Basket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loyalty_redemption",
    )
    account = models.ForeignKey(
        PointsAccount, on_delete=models.PROTECT, related_name="redemptions"
    )
    points = models.PositiveBigIntegerField(_("points"))
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=RESERVED)
    expires_at = models.DateTimeField(db_index=True)
    order = models.OneToOneField(
        "order.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loyalty_points_redemption",
    )
    captured_points = models.PositiveBigIntegerField(default=0)
    # Invariant: <= captured_points (a check constraint); only grows, so points come back once.
    returned_points = models.PositiveBigIntegerField(default=0)
    # {order line id: quantity returned so far}, each at most the line's
    # quantity. Partial returns aim at the cumulative share of these lines, so
    # three refunds of one item in three give back all the points, not 3 x 33.
    returned_lines = models.JSONField(default=dict, blank=True)
    # Null while captured but not yet in the ledger (the points are still held).
    captured_entry = models.OneToOneField(
        PointsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("points redemption")
        constraints = [
            # Captured is final: a captured row always names its order, and
            # nothing else does, so no update can take a capture back to
            # "reserved" or "released" (the stale-tab defect of issue #17).
            models.CheckConstraint(
                condition=(
                    models.Q(status="captured", order__isnull=False)
                    | (~models.Q(status="captured") & models.Q(order__isnull=True))
                ),
                name="loyalty_redemption_captured_iff_order",
            ),
            models.CheckConstraint(
                condition=models.Q(returned_points__lte=models.F("captured_points")),
                name="loyalty_redemption_returns_at_most_captured",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points} ({self.status})"

    def is_live(self, now: datetime | None = None) -> bool:
        return self.status == self.RESERVED and self.expires_at > (now or timezone.now())

    @property
    def is_settled(self) -> bool:
        return self.captured_entry_id is not None

    @classmethod
    def held_points(cls) -> models.Expression:
        """What a held redemption holds: the reserved points, or once captured, those charged."""
        return models.Case(
            models.When(status=cls.CAPTURED, then=models.F("captured_points")),
            default=models.F("points"),
        )

    @classmethod
    def held_q(cls, now: datetime, prefix: str = "") -> models.Q:
        """Redemptions whose points are not spendable elsewhere (see the class docstring)."""
        return models.Q(
            **{f"{prefix}status": cls.RESERVED, f"{prefix}expires_at__gt": now}
        ) | models.Q(**{f"{prefix}status": cls.CAPTURED, f"{prefix}captured_entry__isnull": True})


class PointsPromotion(models.Model):
    """A time-limited multiplier ("double points this weekend") staff switch on and off."""

    name = models.CharField(_("name"), max_length=128)
    multiplier = models.DecimalField(
        _("multiplier"), max_digits=5, decimal_places=2, help_text=_("2 for double points.")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, help_text=_("Empty: no end."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("points promotion")
        verbose_name_plural = _("points promotions")
        constraints = [
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="loyalty_pts_promo_mult")
        ]

    def __str__(self) -> str:
        return self.name

    def is_running(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.is_active
            and self.starts_at <= now
            and (self.ends_at is None or self.ends_at > now)
        )


class PointsReversal(AppendOnlyModel):
    """One cancellation or refund processed for points. Unique key: processed once."""

    key = models.CharField(max_length=128, unique=True)
    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="+")
    earned_points_reversed = models.PositiveBigIntegerField(default=0)
    spent_points_returned = models.PositiveBigIntegerField(default=0)
    reason = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]


# The offer proxies (Oscar conditions and benefits) are models of this app:
# imported here so Django registers them, and their migration, with the rest.
from .benefits import (  # noqa: E402
    ClubMemberCondition,
    PointsDiscountBenefit,
    PointsRedemptionCondition,
)

__all__ = [
    "ClubMemberCondition",
    "PointsAccount",
    "PointsDiscountBenefit",
    "PointsEarning",
    "PointsEarningLine",
    "PointsEntry",
    "PointsLot",
    "PointsLotUse",
    "PointsPromotion",
    "PointsRedemption",
    "PointsRedemptionCondition",
    "PointsReversal",
]
