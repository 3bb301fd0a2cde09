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
