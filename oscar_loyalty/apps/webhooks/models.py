"""Webhook state: endpoints staff subscribe, the event outbox, deliveries and their attempts.

An ``Event`` row is written in the transaction of the change it tells of
(``oscar_loyalty.signals.recording``), with one ``Delivery`` per endpoint
subscribed to its type: the change and its announcement commit together or
not at all (a transactional outbox). Deliveries are sent only after commit,
by the task queue (``delivery``).
"""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class Endpoint(models.Model):
    """A URL staff subscribed to some event types, with its signing secret(s)."""

    ACTIVE, PAUSED = "active", "paused"
    STATUS_CHOICES = [(ACTIVE, _("Active")), (PAUSED, _("Paused"))]

    name = models.CharField(_("name"), max_length=128)
    # Staff-configured: only http(s), checked by the form and ``services``
    # (docs/webhooks.md, "Security": the store trusts its staff with this URL).
    url = models.URLField(_("URL"), max_length=500)
    # Event type names (``events.EVENT_TYPES``).
    events = models.JSONField(_("events"), default=list)
    # Kept in clear: an HMAC needs the secret itself. Shown to staff only.
    secret = models.CharField(max_length=128, default=new_secret)
    # While rotating, deliveries are signed with both ("v1,a v1,b").
    previous_secret = models.CharField(max_length=128, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=STATUS_CHOICES, default=ACTIVE)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    pause_reason = models.CharField(max_length=255, blank=True)
    # Attempts failed in a row (any delivery); a success resets it.
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.ACTIVE

    def signing_secrets(self, now: datetime | None = None) -> list[str]:
        """The secrets to sign with now: the current one, and the previous while it lasts."""
        now = now or timezone.now()
        keys = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_until
            and self.previous_secret_until > now
        ):
            keys.append(self.previous_secret)
        return keys


class Event(models.Model):
    """One club fact, as the versioned JSON envelope every endpoint receives."""

    # The ``webhook-id`` header and the envelope's ``id``: receivers dedup by it.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(_("type"), max_length=64, db_index=True)
    version = models.PositiveSmallIntegerField(default=1)
    # The envelope: {"id", "type", "version", "timestamp", "data"}.
    payload = models.JSONField()
    # Whose events must arrive in order ("user:<id>"); empty: no order.
    member_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("webhook event")

    def __str__(self) -> str:
        return f"{self.type} {self.uuid}"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.uuid.hex}"


class Delivery(models.Model):
    """One event for one endpoint: pending until delivered or given up.

    ``pending → delivering`` (claimed with a lease) ``→ delivered``, or back
    to ``pending`` with a later ``next_attempt_at``, or ``failed`` after the
    last attempt. Per endpoint and member, a delivery waits while an earlier
    event's is pending or delivering (``delivery.claim``).
    """

    PENDING, DELIVERING, DELIVERED, FAILED = "pending", "delivering", "delivered", "failed"
    STATUS_CHOICES = [
        (PENDING, _("Pending")),
        (DELIVERING, _("Sending")),
        (DELIVERED, _("Delivered")),
        (FAILED, _("Given up")),
    ]
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    # Copied from the event, so the ordering check reads this table alone.
    member_key = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claim_token = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("response"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-event_id", "pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="loyalty_webhook_once")
        ]
        indexes = [
            # The claim: an endpoint's due deliveries, oldest event first.
            models.Index(
                fields=["endpoint", "event"],
                condition=Q(status="pending"),
                name="loyalty_webhook_due",
            ),
            # The ordering check: an earlier unfinished event of the same member.
            models.Index(
                fields=["endpoint", "member_key", "event"],
                condition=Q(status__in=["pending", "delivering"]),
                name="loyalty_webhook_open",
            ),
            models.Index(fields=["claim_token"], name="loyalty_webhook_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery: what the endpoint answered, and how fast."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt"))
    status_code = models.PositiveSmallIntegerField(_("response"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("time (ms)"), default=0)
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook attempt")

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
