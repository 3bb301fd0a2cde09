"""Where members come from and through which channel each order arrives."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrderChannel(models.Model):
    """The channel one order came through (web checkout, partner API, in-store card).

    One row per order, written once when the order is placed; an order without
    a row was placed before the add-on was installed, and counts as web.
    """

    WEB = "web"
    API = "api"
    IN_STORE = "in_store"
    CHANNEL_CHOICES = [(WEB, _("Web")), (API, _("API")), (IN_STORE, _("In store"))]

    order = models.OneToOneField(
        "order.Order", on_delete=models.CASCADE, related_name="loyalty_channel"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=CHANNEL_CHOICES, default=WEB)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("order channel")
        verbose_name_plural = _("order channels")
        indexes = [models.Index(fields=["channel", "created_at"])]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.channel}"


class FirstTouch(models.Model):
    """Where a member first came from: the first request of the visitor who later joined.

    The touch travels in a signed cookie from the first visit
    (``middleware.FirstTouchMiddleware``) and becomes a row only when the
    visitor joins: anonymous visits cost no database write, and nothing is
    kept about visitors who never join. ``member`` is nullable so that a
    store may also write rows at first visit (``record_first_touch``) and link
    them later; the retention job deletes unlinked rows after a period.
    """

    REFERRAL, EMAIL, SOCIAL, SEARCH, PAID, DIRECT, OTHER = (
        "referral",
        "email",
        "social",
        "search",
        "paid",
        "direct",
        "other",
    )
    CHANNEL_CHOICES = [
        (REFERRAL, _("Refer a friend")),
        (EMAIL, _("Email")),
        (SOCIAL, _("Social network")),
        (SEARCH, _("Search engine")),
        (PAID, _("Paid advertising")),
        (DIRECT, _("Direct")),
        (OTHER, _("Other website")),
    ]

    visitor_id = models.CharField(_("visitor id"), max_length=32, db_index=True)
    utm_source = models.CharField(_("UTM source"), max_length=100, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=100, blank=True)
    utm_term = models.CharField(_("UTM term"), max_length=100, blank=True)
    utm_content = models.CharField(_("UTM content"), max_length=100, blank=True)
    referrer_url = models.CharField(_("referring page"), max_length=500, blank=True)
    referrer_host = models.CharField(_("referring site"), max_length=255, blank=True)
    landing_page = models.CharField(_("landing page"), max_length=500, blank=True)
    referral_code = models.CharField(_("referral code"), max_length=64, blank=True)
    channel = models.CharField(
        _("acquisition channel"), max_length=16, choices=CHANNEL_CHOICES, default=DIRECT
    )
    # When the visitor first arrived (from the cookie), not when the row was written.
    created_at = models.DateTimeField(_("first visit"), default=timezone.now)
    member = models.OneToOneField(
        "loyalty_membership.Member",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="first_touch",
        verbose_name=_("member"),
    )
    linked_at = models.DateTimeField(_("joined"), null=True, blank=True)

    class Meta:
        verbose_name = _("first touch")
        verbose_name_plural = _("first touches")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["channel", "member"], name="loyalty_touch_channel")]

    def __str__(self) -> str:
        return f"{self.channel} {self.created_at:%Y-%m-%d}"
