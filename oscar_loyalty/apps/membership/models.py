from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.models_base import AppendOnlyModel, StaffTranslations
from oscar_loyalty.phones import MobileNumberField

ZERO = Decimal("0.00")


class Plan(StaffTranslations):
    """A way to be a member: free or paid, for a period or without end.

    A paid plan is sold as an Oscar product (of the "Club membership" product
    class) through the normal checkout; ``product`` links the two.
    """

    name = models.CharField(_("name"), max_length=128)
    slug = models.SlugField(_("code"), max_length=64, unique=True)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("0 for a free plan. A paid plan is bought through the shop's checkout."),
    )
    period_months = models.PositiveSmallIntegerField(
        _("period (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Leave empty for a membership without end."),
    )
    card_transferable = models.BooleanField(
        _("transferable card"),
        default=False,
        help_text=_("Whether the member may lend the card to friends and family."),
    )
    product = models.OneToOneField(
        "catalogue.Product",
        verbose_name=_("product sold for this plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loyalty_plan",
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership plan")
        verbose_name_plural = _("membership plans")
        ordering = ["position", "price", "pk"]

    translated_fields = ("name", "description")

    def __str__(self) -> str:
        # In the active language: choice lists and emails show this.
        return self.display_name

    @property
    def display_description(self) -> str:
        return self.translated("description")

    @property
    def is_paid(self) -> bool:
        return self.price > ZERO

    @property
    def is_unlimited(self) -> bool:
        return self.period_months is None

    def clean(self) -> None:
        if self.is_paid and self.product_id is None:
            raise ValidationError(
                {"product": _("A paid plan needs the product that sells it in the shop.")}
            )
        if not self.is_paid and self.product_id is not None:
            raise ValidationError({"product": _("A free plan is not sold as a product.")})


class Tier(StaffTranslations):
    """A level of membership reached by spending; later features read its benefits."""

    name = models.CharField(_("name"), max_length=64)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    qualifying_spend = models.DecimalField(
        _("qualifying spend"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Spend over the rolling window needed to reach this tier."),
    )
    points_multiplier = models.DecimalField(
        _("points multiplier"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    discount_percent = models.DecimalField(
        _("member discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["qualifying_spend", "pk"]

    def __str__(self) -> str:
        return self.display_name


class Member(models.Model):
    """A user's club membership and the profile the member keeps up to date."""

    ACTIVE, EXPIRED, CANCELLED = "active", "expired", "cancelled"
    STATUS_CHOICES = [
        (ACTIVE, _("Active")),
        (EXPIRED, _("Expired")),
        (CANCELLED, _("Cancelled")),
    ]
    PRIVATE, BUSINESS = "private", "business"
    CUSTOMER_TYPE_CHOICES = [(PRIVATE, _("Private customer")), (BUSINESS, _("Business"))]

    CHANNEL_CHOICES = [
        ("email", _("Email")),
        ("sms", _("SMS")),
        ("whatsapp", _("WhatsApp")),
        ("post", _("Post")),
        ("phone", _("Phone")),
    ]
    # How the club's own notices reach the member (points earned, draw result…):
    # a channel the outbox can send on. SMS and WhatsApp fall back to email
    # when the number or (for an advertising notice) the consent is missing.
    NOTICE_EMAIL, NOTICE_SMS, NOTICE_WHATSAPP = "email", "sms", "whatsapp"
    NOTICE_CHANNEL_CHOICES = [
        (NOTICE_EMAIL, _("Email")),
        (NOTICE_SMS, _("SMS")),
        (NOTICE_WHATSAPP, _("WhatsApp")),
    ]
    REGION_CHOICES = [
        ("north", _("North")),
        ("haifa", _("Haifa")),
        ("center", _("Center")),
        ("tel-aviv", _("Tel Aviv")),
        ("jerusalem", _("Jerusalem")),
        ("south", _("South")),
        ("judea-samaria", _("Judea and Samaria")),
        ("abroad", _("Outside Israel")),
    ]

    # SET_NULL: an erased account leaves an anonymous member row behind, so the
    # points ledger and reports keep their totals.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="loyalty_member",
    )
    number = models.CharField(_("member number"), max_length=18, unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="members")
    status = models.CharField(
        _("status"), max_length=16, choices=STATUS_CHOICES, default=ACTIVE, db_index=True
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, db_index=True, help_text=_("Empty: no end.")
    )
    tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    qualifying_spend = models.DecimalField(
        _("qualifying spend"), max_digits=12, decimal_places=2, default=ZERO
    )
    tier_computed_at = models.DateTimeField(null=True, blank=True)
    renewal_reminder_sent_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("The expiry date the last renewal reminder was about (sent once each)."),
    )
    # A downgrade the daily recalculation found, held for the grace period
    # (``OSCAR_LOYALTY_TIER_DOWNGRADE_GRACE_DAYS``): the tier drops on this date
    # unless the spend is back by then. Empty: no downgrade pending.
    tier_downgrade_due_at = models.DateTimeField(_("tier drops on"), null=True, blank=True)
    tier_downgrade_notice_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("The drop date the last downgrade notice was about (sent once each)."),
    )

    # Profile ---------------------------------------------------------------
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    birthday_changed_at = models.DateTimeField(null=True, blank=True)
    interests = models.ManyToManyField(
        "catalogue.Category", verbose_name=_("interests"), blank=True, related_name="+"
    )
    # E.164 (``+972501234567``); entered numbers are read in
    # ``OSCAR_LOYALTY_PHONE_REGION`` (Israel) unless they carry a country code.
    # SMS and WhatsApp consent is bound to the number (``phones``): a new
    # number needs a new consent.
    phone = MobileNumberField(_("mobile phone"), blank=True)
    phone_changed_at = models.DateTimeField(null=True, blank=True)
    preferred_channels = models.JSONField(_("preferred channels"), default=list, blank=True)
    notice_channel = models.CharField(
        _("club notices by"),
        max_length=16,
        choices=NOTICE_CHANNEL_CHOICES,
        default=NOTICE_EMAIL,
        help_text=_(
            "Points earned, points about to expire, your birthday gift, prize draws and "
            "referral rewards. Without a mobile number we send them by email."
        ),
    )
    city = models.CharField(_("city"), max_length=128, blank=True)
    region = models.CharField(_("region"), max_length=32, choices=REGION_CHOICES, blank=True)
    customer_type = models.CharField(
        _("customer type"), max_length=16, choices=CUSTOMER_TYPE_CHOICES, default=PRIVATE
    )
    business_name = models.CharField(_("business name"), max_length=128, blank=True)
    budget_min = models.DecimalField(
        _("budget from"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    budget_max = models.DecimalField(
        _("budget up to"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["-joined_at", "-pk"]
        permissions = [("manage_club", _("Can manage the customer club"))]

    def __str__(self) -> str:
        return f"{self.number}"

    def has_benefits(self, now: datetime | None = None) -> bool:
        """Whether member benefits apply right now.

        Checks the expiry date as well as the status, so that benefits stop on
        time even if the daily command that flips the status runs late.
        """
        now = now or timezone.now()
        return self.status == self.ACTIVE and (self.expires_at is None or self.expires_at > now)

    @property
    def formatted_number(self) -> str:
        """The number in groups of four, as printed on the card."""
        return " ".join(self.number[i : i + 4] for i in range(0, len(self.number), 4))


class MembershipTerm(models.Model):
    """One stretch of membership on a plan: from joining free or from an order line.

    A member's ``plan`` and ``expires_at`` are derived from the active terms;
    reversing a term (its order was cancelled or refunded) re-derives them.
    """

    ACTIVE, REVERSED = "active", "reversed"
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="terms")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        "order.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Unique: the idempotency key of activation. Replaying ``order_placed``
    # (or the daily reconciliation) finds the term and changes nothing.
    line = models.OneToOneField(
        "order.Line", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    months = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty: no end."))
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=[(ACTIVE, _("Active")), (REVERSED, _("Reversed"))], default=ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("membership term")

    def __str__(self) -> str:
        return f"{self.plan} {self.starts_at:%Y-%m-%d}–{self.ends_at or '∞'}"


class TierChange(AppendOnlyModel):
    """History of tier changes. Invariant: append-only; the newest row is the current tier."""

    REASON_ORDER, REASON_DAILY, REASON_STAFF, REASON_JOIN = "order", "daily", "staff", "join"
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    qualifying_spend = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(
        max_length=16,
        choices=[
            (REASON_ORDER, _("Order placed")),
            (REASON_DAILY, _("Daily recalculation")),
            (REASON_STAFF, _("Staff")),
            # The first tier, given when joining (not the nightly recalculation).
            (REASON_JOIN, _("Joined the club")),
        ],
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tier change")

    def __str__(self) -> str:
        return f"{self.member} {self.from_tier} → {self.to_tier}"
