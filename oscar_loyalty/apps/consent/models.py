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
    SOURCE_DOI = "doi_confirmation"
    SOURCE_UNSUBSCRIBE_PAGE = "unsubscribe_page"
    SOURCE_ONE_CLICK = "one_click"
    SOURCE_ESP_UNSUBSCRIBED = "esp_unsubscribed"
    SOURCE_ESP_COMPLAINT = "esp_complaint"
    SOURCE_IMPORT = "import"
    SOURCE_ADDRESS_CHANGE = "address_change"
    SOURCE_REPLY_REFUSAL = "reply_refusal"
    SOURCE_CHOICES = [
        (SOURCE_JOIN, _("Join the club page")),
        (SOURCE_REGISTRATION, _("Registration form")),
        (SOURCE_PREFERENCES, _("Preference centre")),
        (SOURCE_STAFF, _("Staff, on the member's request")),
        (SOURCE_DOI, _("Double opt-in confirmation link")),
        (SOURCE_UNSUBSCRIBE_PAGE, _("Unsubscribe link (page)")),
        (SOURCE_ONE_CLICK, _("One-click unsubscribe (RFC 8058)")),
        (SOURCE_ESP_UNSUBSCRIBED, _("Email provider: unsubscribed (webhook)")),
        (SOURCE_ESP_COMPLAINT, _("Email provider: spam complaint (webhook)")),
        (SOURCE_IMPORT, _("Import of earlier evidence")),
        (SOURCE_ADDRESS_CHANGE, _("Address changed: new opt-in asked for the new address")),
        (SOURCE_REPLY_REFUSAL, _("Refusal by reply (SMS or WhatsApp)")),
    ]
    #: A grant from one of these sources is already confirmed: it needs no
    #: double opt-in link (the link itself, or evidence brought from elsewhere).
    CONFIRMED_SOURCES = (SOURCE_DOI, SOURCE_IMPORT)

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
    # HMAC of the address the consent was about, at the time (see ``hashing``):
    # evidence that survives an address change or an erased account.
    email_hash = models.CharField(_("email hash"), max_length=64, blank=True, db_index=True)
    #: What else proves it: the message or campaign an unsubscribe came from,
    #: the webhook event id, the confirmation token's issue time.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "purpose", "channel", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.purpose}:{self.channel} @ {self.created_at}"


class ConsentState(models.Model):
    """The current consent of one user for one purpose and channel, derived from the ledger.

    Written in the same transaction as each ``ConsentRecord`` (``services.record_consent``),
    so audience queries are one indexed join instead of "newest record per pair".
    Rebuildable from the ledger at any time (``services.rebuild_states``).

    ``pending`` is double opt-in: the member ticked the box (a *grant* record,
    the member's own act, kept as evidence) but has not followed the signed
    confirmation link yet. Only ``granted`` counts as consent.
    """

    GRANTED, PENDING, WITHDRAWN = "granted", "pending", "withdrawn"
    STATUS_CHOICES = [
        (GRANTED, _("Granted")),
        (PENDING, _("Waiting for confirmation")),
        (WITHDRAWN, _("Withdrawn")),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loyalty_consent_states"
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=list(PURPOSES.items()))
    channel = models.CharField(_("channel"), max_length=16, choices=list(CHANNELS.items()))
    status = models.CharField(_("status"), max_length=16, choices=STATUS_CHOICES)
    last_record = models.ForeignKey(
        ConsentRecord, on_delete=models.PROTECT, related_name="+", verbose_name=_("last record")
    )
    #: Keyed hash of the address this status is about (``hashing``). Email
    #: consent is bound to one address: a grant or confirmation for another
    #: address never carries a ``granted`` status over (``services``).
    email_hash = models.CharField(_("email hash"), max_length=64, blank=True)
    granted_at = models.DateTimeField(_("granted"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("current consent")
        verbose_name_plural = _("current consents")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose", "channel"], name="loyalty_consent_state_unique"
            )
        ]
        indexes = [models.Index(fields=["purpose", "channel", "status", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose}:{self.channel} {self.status}"


class Suppression(models.Model):
    """An address that must not be mailed: all mail, or marketing only.

    Keyed by an HMAC of the normalised address, never the address itself, so
    the list can outlive an erased account (the ICO's "suppress instead of
    delete") without keeping personal data in clear.
    """

    ALL, MARKETING = "all", "marketing"
    SCOPE_CHOICES = [(ALL, _("All mail")), (MARKETING, _("Marketing mail"))]

    HARD_BOUNCE = "hard_bounce"
    COMPLAINT = "complaint"
    UNSUBSCRIBED = "unsubscribed"
    REJECTED = "esp_rejected"
    INVALID = "invalid"
    ERASURE = "erasure"
    MANUAL = "manual"
    REASON_CHOICES = [
        (HARD_BOUNCE, _("Hard bounce")),
        (COMPLAINT, _("Spam complaint")),
        (UNSUBSCRIBED, _("Unsubscribed")),
        (REJECTED, _("Rejected by the email provider")),
        (INVALID, _("Invalid address")),
        (ERASURE, _("Account erased")),
        (MANUAL, _("Added by staff")),
    ]

    email_hash = models.CharField(_("email hash"), max_length=64)
    scope = models.CharField(_("scope"), max_length=16, choices=SCOPE_CHOICES)
    reason = models.CharField(_("reason"), max_length=16, choices=REASON_CHOICES)
    source = models.CharField(_("source"), max_length=64, blank=True)
    esp_event_id = models.CharField(_("provider event id"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["email_hash", "scope"], name="loyalty_suppression_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email_hash[:12]}… {self.scope} ({self.reason})"


class TrackingEvent(models.Model):
    """An email provider's webhook event we have processed: the replay guard.

    Unique per provider, event id *and recipient*: one provider event can name
    several recipients (an SES bounce lists every bounced address under one
    SNS message id), and each is applied once. A replayed event finds its rows
    and changes nothing.
    """

    esp_name = models.CharField(max_length=64)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=32)
    email_hash = models.CharField(max_length=64, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("email provider event")
        constraints = [
            models.UniqueConstraint(
                fields=["esp_name", "event_id", "email_hash"],
                name="loyalty_tracking_event_recipient_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.esp_name} {self.event_type} {self.event_id}"
