from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.models_base import AppendOnlyModel

from .wording import CHANNELS, PURPOSES


class ConsentRecord(AppendOnlyModel):
    """One grant or withdrawal of consent, exactly as it happened.

    Invariant: records are never changed or deleted (``AppendOnlyModel``).
    The member's current consent for a purpose and channel is the action of
    the newest record for that pair; no record means no consent.
    """

    GRANT, WITHDRAW = "grant", "withdraw"
    ACTION_CHOICES = [(GRANT, _("Granted")), (WITHDRAW, _("Withdrawn"))]

    SOURCE_JOIN = "join"
    SOURCE_REGISTRATION = "registration"
    SOURCE_PREFERENCES = "preferences"
    SOURCE_STAFF = "staff"
    SOURCE_CHOICES = [
        (SOURCE_JOIN, _("Join the club page")),
        (SOURCE_REGISTRATION, _("Registration form")),
        (SOURCE_PREFERENCES, _("Preference centre")),
        (SOURCE_STAFF, _("Staff, on the member's request")),
    ]

    # SET_NULL, not CASCADE: the record is evidence and outlives the account;
    # an erased member's records keep the action and time, not the person.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="loyalty_consents",
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=list(PURPOSES.items()))
    channel = models.CharField(_("channel"), max_length=16, choices=list(CHANNELS.items()))
    action = models.CharField(_("action"), max_length=8, choices=ACTION_CHOICES)
    wording_version = models.CharField(_("wording version"), max_length=32)
    wording_text = models.TextField(_("wording shown"))
    source = models.CharField(_("source"), max_length=32, choices=SOURCE_CHOICES)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "purpose", "channel", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.purpose}:{self.channel} @ {self.created_at}"
