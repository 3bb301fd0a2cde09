"""The newsletter app's part of a data export and an erasure (see ``apps.privacy``).

Imported by ``apps.privacy.registry.autodiscover`` only when this app is
installed. Outbox rows stay (campaign statistics, and the hashed address
keeps the "once per address" guarantee), unlinked from the account and
without the provider's error text, which often quotes the address, nor a
member notice's text (it names the member's points and gifts).

Retention: the open and click times on outbox rows (engagement tracking) are
cleared ``OSCAR_LOYALTY_PRIVACY_NEWSLETTER_EVENT_DAYS`` after sending; the
message row and its delivery status stay.
"""

from __future__ import annotations

from oscar_loyalty.apps.privacy import registry

from .models import OutboxMessage

ENGAGEMENT = ("opened_at", "clicked_at")
FIELDS = {field.name for field in OutboxMessage._meta.concrete_fields}


def export_newsletter(subject) -> dict:
    messages = OutboxMessage.objects.filter(user=subject.user).select_related("campaign")
    return {
        "messages": [
            {
                "campaign": message.campaign.name if message.campaign_id else None,
                "notice": message.notice,
                "channel": message.channel,
                "text": message.body,
                "status": message.status,
                "language": message.language,
                "sent_at": message.sent_at,
                "esp_message_id": message.esp_message_id,
                "error": message.error,
                **{name: getattr(message, name) for name in ENGAGEMENT if name in FIELDS},
            }
            for message in messages
        ]
    }


def erase_newsletter(subject) -> int:
    return OutboxMessage.objects.filter(user=subject.user).update(user=None, error="", body="")


def clear_old_engagement(cutoff, batch_size: int) -> int:
    """Forget when old messages were opened or clicked; returns rows changed."""
    from django.db import models, transaction

    fields = [name for name in ENGAGEMENT if name in FIELDS]
    if not fields:
        return 0
    tracked = models.Q()
    for name in fields:
        tracked |= models.Q(**{f"{name}__isnull": False})
    old = OutboxMessage.objects.filter(tracked, sent_at__lt=cutoff)
    changed = 0
    while pks := list(old.values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            changed += OutboxMessage.objects.filter(pk__in=pks).update(
                **dict.fromkeys(fields, None)
            )
    return changed


registry.register_section("newsletter", exporter=export_newsletter, eraser=erase_newsletter)
registry.register_retention(
    "newsletter_opens_and_clicks",
    setting="PRIVACY_NEWSLETTER_EVENT_DAYS",
    delete_older_than=clear_old_engagement,
)
