"""What the email provider tells us (Anymail tracking webhooks): bounces, complaints, unsubscribes.

Each event is stored once per recipient under its key; the ones that matter
for consent (hard bounces, complaints, unsubscribes: ``bounces.classify``)
suppress the address or withdraw marketing consent, through ``services``.
Split from ``services`` by size; the receivers call ``process_tracking_event``.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from . import bounces
from .hashing import email_hash
from .models import ConsentRecord, Suppression, TrackingEvent
from .services import suppress, withdraw_consent

# Email provider events (Anymail tracking webhooks) -------------------------


def clean_text(value, limit: int = 255) -> str:
    """Provider text made storable: no NUL or other control characters, no lone surrogates.

    PostgreSQL refuses NUL in text and ``jsonb``; a webhook that raised on it
    would be retried by the provider forever.
    """
    text = str(value or "").encode("utf-8", "replace").decode("utf-8")
    return "".join(char for char in text if char.isprintable())[:limit]


def event_key(*, esp_name: str, event_id, event_type, recipient, message_id, timestamp) -> str:
    """The provider's event id, or a digest of the event when the provider gives none.

    Stored with the recipient's hash: one provider event may name several
    recipients (SES lists every bounced address under one SNS message id).
    """
    if event_id and clean_text(event_id):
        return clean_text(event_id)
    raw = clean_text(f"{esp_name}|{event_type}|{recipient}|{message_id}|{timestamp}", 10_000)
    return "digest:" + hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def process_tracking_event(
    *,
    esp_name: str,
    kind: str,
    recipient: str | None,
    event_type: str = "",
    event_id: str | None = None,
    message_id: str | None = None,
    metadata: dict | None = None,
    timestamp=None,
) -> bool:
    """Apply one provider event to suppressions and consent. Returns whether it changed anything.

    ``kind`` is the event's class (``bounces.classify``):

    * a hard bounce suppresses all mail to the address;
    * a complaint suppresses marketing and records a withdrawal;
    * an unsubscribe records a withdrawal;
    * a soft bounce, and everything else, changes nothing.

    A repeated event (same provider, event id and recipient) changes nothing.
    """
    if kind not in (bounces.HARD_BOUNCE, bounces.COMPLAINT, bounces.UNSUBSCRIBE):
        return False
    recipient = clean_text(recipient, 1000).strip()
    if "@" not in recipient:
        return False  # no address to suppress or to find an account by
    esp_name = clean_text(esp_name, 64)
    key = event_key(
        esp_name=esp_name,
        event_id=event_id,
        event_type=event_type or kind,
        recipient=recipient,
        message_id=message_id,
        timestamp=timestamp,
    )
    hashed = email_hash(recipient)
    with transaction.atomic():
        try:
            with transaction.atomic():
                TrackingEvent.objects.create(
                    esp_name=esp_name,
                    event_id=key,
                    event_type=kind,
                    email_hash=hashed,
                    message_id=clean_text(message_id),
                )
        except IntegrityError:
            return False
        evidence = {
            "esp": esp_name,
            "event_id": key,
            "email_hash": hashed,
            "message": clean_text(metadata.get("message"))
            if isinstance(metadata, dict) and metadata.get("message")
            else None,
        }
        if kind == bounces.HARD_BOUNCE:
            suppress(
                recipient,
                scope=Suppression.ALL,
                reason=Suppression.HARD_BOUNCE,
                source=esp_name,
                esp_event_id=key,
            )
            return True
        if kind == bounces.COMPLAINT:
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
