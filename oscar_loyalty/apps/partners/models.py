"""Coalition partners, what they did to members' points, and the nonces they used.

Invariants:

* a partner's shared secret is never stored: it is derived from
  ``PARTNERS_SECRET_KEY``, the public ``key_id`` and ``secret_salt``
  (``signing.partner_secret``), so a database leak reveals no secret, and
  rotating is replacing the salt;
* every ``PartnerTransaction`` wrote exactly one points ledger entry
  (``entry``) and is append-only; a reversal is a new transaction pointing
  at the one it reverses, at most one per transaction;
* ``(partner, idempotency_key)`` is unique: a retried change finds the first
  result; ``(partner, nonce)`` is unique: a replayed request is refused.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.models_base import AppendOnlyModel


def new_key_id() -> str:
    return "pk_" + secrets.token_hex(10)


def new_salt() -> str:
    return secrets.token_hex(16)


class Partner(models.Model):
    """A business that honours the club's members: earns and burns through the API."""

    name = models.CharField(_("name"), max_length=128)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Public: sent with every request to say which partner signs it.
    key_id = models.CharField(_("key id"), max_length=40, unique=True, default=new_key_id)
    # Not a secret by itself: the secret also needs PARTNERS_SECRET_KEY.
    secret_salt = models.CharField(max_length=64, default=new_salt, editable=False)
    secret_rotated_at = models.DateTimeField(_("credentials issued"), default=timezone.now)
    earn_rate = models.DecimalField(
        _("earn rate"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Points per currency unit of a purchase at the partner."),
    )
    burn_rate = models.DecimalField(
        _("burn rate"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("0.01"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Money off per point burned at the partner (the club pays it back)."),
    )
    issue_price = models.DecimalField(
        _("price per point issued"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("0.01"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("What the partner pays the club for each point its customers earn."),
    )
    daily_earn_cap = models.PositiveBigIntegerField(
        _("daily earn cap"), null=True, blank=True, help_text=_("Points; empty: no cap.")
    )
    daily_burn_cap = models.PositiveBigIntegerField(
        _("daily burn cap"), null=True, blank=True, help_text=_("Points; empty: no cap.")
    )
    member_daily_earn_cap = models.PositiveBigIntegerField(
        _("daily earn cap per member"),
        null=True,
        blank=True,
        help_text=_("Points; empty: no cap."),
    )
    member_daily_burn_cap = models.PositiveBigIntegerField(
        _("daily burn cap per member"),
        null=True,
        blank=True,
        help_text=_("Points; empty: no cap."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        permissions = [
            ("use_instore_till", _("Can look up member cards and record in-store purchases"))
        ]

    def __str__(self) -> str:
        return self.name


class PartnerTransaction(AppendOnlyModel):
    """One earn, burn or reversal by a partner, with the ledger entry it wrote."""

    EARN, BURN, REVERSAL = "earn", "burn", "reversal"
    KIND_CHOICES = [(EARN, _("Earn")), (BURN, _("Burn")), (REVERSAL, _("Reversal"))]

    # Public id for the partner: a sequential pk would tell partners each other's volume.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="transactions")
    member = models.ForeignKey(
        "loyalty_membership.Member", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES)
    # Always positive; the direction is the kind's (and the entry's sign).
    points = models.PositiveBigIntegerField(_("points"))
    # Earn: the purchase amount; burn: the money off; reversal: the source's amount.
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    # What the settlement counts, signed: earn + (partner owes the club),
    # burn + (the club owes the partner), a reversal minus its source's value.
    value = models.DecimalField(_("settlement value"), max_digits=12, decimal_places=2)
    reference = models.CharField(_("partner reference"), max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=100)
    # SHA-256 of what was asked: the same key with a different request is refused.
    request_hash = models.CharField(max_length=64)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    entry = models.OneToOneField(
        "loyalty_points.PointsEntry", on_delete=models.PROTECT, related_name="partner_transaction"
    )
    balance_after = models.BigIntegerField(_("balance after"))
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("partner transaction")
        verbose_name_plural = _("partner transactions")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "idempotency_key"], name="loyalty_partner_txn_key"
            )
        ]
        indexes = [
            models.Index(fields=["partner", "kind", "created_at"], name="loyalty_partner_txn_day"),
            models.Index(
                fields=["member", "partner", "kind", "created_at"],
                name="loyalty_partner_txn_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.kind} {self.points}"


class PartnerNonce(models.Model):
    """A nonce a partner signed once. Rows older than the timestamp window are pruned:
    a request that old is refused as stale before its nonce is looked at."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "nonce"], name="loyalty_partner_nonce")
        ]
