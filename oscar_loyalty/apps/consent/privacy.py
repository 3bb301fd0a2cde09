"""The consent app's part of a data export and an erasure (see ``apps.privacy``).

Consent records are evidence of a lawful basis and stay, through the one
narrow redaction path (``apps.privacy.redaction``): the account link, IP
address and user agent go; purpose, channel, action, wording, source, time
and the address hash stay. The derived current-consent rows are deleted.
The old address is added to the suppression list (hashed), so it gets no
marketing again unless its owner confirms a new opt-in from that mailbox.
"""

from __future__ import annotations

from oscar_loyalty.apps.privacy import registry
from oscar_loyalty.apps.privacy.redaction import redact
from oscar_loyalty.apps.privacy.serialise import rows

from . import services
from .hashing import email_hash
from .models import ConsentRecord, ConsentState, Suppression, TrackingEvent


def export_consent(subject) -> dict:
    hashed = email_hash(subject.email) if subject.email else ""
    return {
        "records": rows(ConsentRecord.objects.filter(user=subject.user)),
        "current": rows(ConsentState.objects.filter(user=subject.user)),
        "suppressions": rows(Suppression.objects.filter(email_hash=hashed)) if hashed else [],
    }


def erase_consent(subject) -> int:
    changed = redact(
        ConsentRecord.objects.filter(user=subject.user), user=None, ip_address=None, user_agent=""
    )
    changed += ConsentState.objects.filter(user=subject.user).delete()[0]
    if subject.email:
        services.suppress(
            subject.email,
            scope=Suppression.MARKETING,
            reason=Suppression.ERASURE,
            source="erasure",
        )
        changed += 1
    return changed


def delete_old_tracking_events(cutoff, batch_size: int) -> int:
    from oscar_loyalty.apps.privacy.retention import delete_in_batches

    return delete_in_batches(TrackingEvent.objects.filter(received_at__lt=cutoff), batch_size)


registry.register_section("consent", exporter=export_consent, eraser=erase_consent)
registry.register_retention(
    "email_provider_events",
    setting="PRIVACY_TRACKING_EVENT_DAYS",
    delete_older_than=delete_old_tracking_events,
)
