"""ESP tracking events about our own messages (Anymail's ``tracking`` signal).

Kept apart from ``sending``: sending writes the outbox, this module only
confirms what the ESP reports afterwards (delivery, first open and click,
bounces). Consent and suppression effects of the same events are the consent
app's (``consent.events.process_tracking_event``).
"""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone

from .models import OutboxMessage

CONFIRMING = {"queued", "sent", "delivered", "opened", "clicked", "deferred"}


def apply_tracking_event(
    *,
    event_type: str,
    metadata: dict | None,
    message_id: str | None,
    recipient: str | None = None,
    now: datetime | None = None,
) -> int:
    """An ESP event about one of our messages: confirm ``sending`` rows, mark bounces.

    Without our ``outbox`` metadata the provider's message id is all there is,
    and one id can cover a whole batch (one API call, many recipients): when
    it does, the event applies only to the row of its own recipient (by
    address hash), and an event that names no recipient changes nothing.
    """
    outbox_id = (metadata or {}).get("outbox") if isinstance(metadata, dict) else None
    rows = OutboxMessage.objects.none()
    # 1-18 ASCII digits: "²".isdigit() is true but int("²") raises, and so does
    # int() of more than 4300 digits (each an HTTP 500 from the webhook).
    if outbox_id and re.fullmatch(r"[0-9]{1,18}", str(outbox_id)):
        rows = OutboxMessage.objects.filter(pk=int(outbox_id))
    # isprintable(): no NUL (PostgreSQL refuses it) nor lone surrogate (no UTF-8 for
    # it, either database); such an id is never stored, so it matches nothing.
    elif message_id and str(message_id).isprintable():
        rows = OutboxMessage.objects.filter(esp_message_id=message_id)
        if rows[:2].count() > 1:
            if not recipient:
                return 0
            from oscar_loyalty.apps.consent.hashing import email_hash

            rows = rows.filter(email_hash=email_hash(recipient))
    if event_type in ("bounced", "rejected"):
        return rows.exclude(status=OutboxMessage.BOUNCED).update(status=OutboxMessage.BOUNCED)
    if event_type in CONFIRMING:
        now = now or timezone.now()
        changed = rows.filter(status__in=[OutboxMessage.SENDING, OutboxMessage.UNKNOWN]).update(
            status=OutboxMessage.SENT, sent_at=now, error=""
        )
        # Opens and clicks are kept (first time only) for the member timeline.
        if event_type == "opened":
            rows.filter(opened_at=None).update(opened_at=now)
        elif event_type == "clicked":
            rows.filter(clicked_at=None).update(clicked_at=now)
        return changed
    return 0
