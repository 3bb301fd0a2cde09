"""What the email provider tells us (Anymail tracking webhooks): bounces, complaints, unsubscribes.

Each event is stored once under its key; the ones that matter for consent
(``ACTED_ON``) suppress the address or withdraw marketing consent, through
``services``. Split from ``services`` by size; the receivers call
``process_tracking_event``.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from .hashing import email_hash
from .models import ConsentRecord, Suppression, TrackingEvent
from .services import suppress, withdraw_consent

# Email provider events (Anymail tracking webhooks) -------------------------

ACTED_ON = {"bounced", "complained", "unsubscribed", "rejected"}


def event_key(*, esp_name: str, event_id, event_type, recipient, message_id, timestamp) -> str:
    """The provider's event id, or a digest of the event when the provider gives none."""
    if event_id:
        return str(event_id)[:255]
    raw = f"{esp_name}|{event_type}|{recipient}|{message_id}|{timestamp}"
    return "digest:" + hashlib.sha256(raw.encode()).hexdigest()


def process_tracking_event(
    *,
    esp_name: str,
    event_type: str,
    recipient: str | None,
    event_id: str | None = None,
    message_id: str | None = None,
    reject_reason: str | None = None,
    metadata: dict | None = None,
    timestamp=None,
) -> bool:
    """Apply one provider event to suppressions and consent. Returns whether it changed anything.

    * bounced (or rejected as bounced/invalid): suppress all mail to the address;
    * complained (or rejected as spam): suppress marketing and record a withdrawal;
    * unsubscribed (or rejected as unsubscribed): record a withdrawal.

    A repeated event (same provider and event id) changes nothing.
    """
    if event_type not in ACTED_ON or not recipient:
        return False
    if event_type == "rejected":
        event_type = {
            "bounced": "bounced",
            "invalid": "bounced",
            "spam": "complained",
            "unsubscribed": "unsubscribed",
        }.get(reject_reason or "", "")
        if not event_type:
            return False
    key = event_key(
        esp_name=esp_name,
        event_id=event_id,
        event_type=event_type,
        recipient=recipient,
        message_id=message_id,
        timestamp=timestamp,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                TrackingEvent.objects.create(
                    esp_name=esp_name,
                    event_id=key,
                    event_type=event_type,
                    email_hash=email_hash(recipient),
                    message_id=(message_id or "")[:255],
                )
        except IntegrityError:
            return False
        evidence = {"esp": esp_name, "event_id": key, "message": (metadata or {}).get("message")}
        if event_type == "bounced":
            suppress(
                recipient,
                scope=Suppression.ALL,
                reason=Suppression.HARD_BOUNCE,
                source=esp_name,
                esp_event_id=key,
            )
            return True
        if event_type == "complained":
            suppress(
                recipient,
                scope=Suppression.MARKETING,
                reason=Suppression.COMPLAINT,
                source=esp_name,
                esp_event_id=key,
            )
            source = ConsentRecord.SOURCE_ESP_COMPLAINT
        else:
            source = ConsentRecord.SOURCE_ESP_UNSUBSCRIBED
        for user in get_user_model().objects.filter(email__iexact=recipient.strip()):
            withdraw_consent(user, source=source, evidence=evidence)
    return True
