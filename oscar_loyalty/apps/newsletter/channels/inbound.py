"""Replies and delivery reports from SMS and WhatsApp providers, whatever the provider.

The webhook views (``channels.webhooks``) authenticate the request and read
the provider's fields; these two services do the rest:

* ``receive_reply``: a refusal ("הסר", "STOP", …; ``refusal``) withdraws the
  sender's advertising consent **on the channel it came by** and records the
  evidence (the number's hash, the time, the provider's message id and the
  outbox message it answered). §30A(d): a refusal may be given "in the way
  the advertisement was sent"; it is in force before the next batch, since
  the outbox re-checks consent right before each provider call.
* ``receive_report``: a delivery report settles the outbox row; a permanent
  failure suppresses the number on that channel only.
* ``receive_provider_refusal``: the provider refused a message because the
  number is on its removal list (the recipient answered "הסר" to the
  provider, which keeps the list): a refusal like a reply, known only
  through that report.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oscar_loyalty import phones
from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord, Suppression

from ..models import OutboxMessage
from .refusal import is_refusal

DELIVERED, FAILED_PERMANENTLY, FAILED_TRANSIENTLY = "delivered", "failed", "transient"


def receive_reply(
    *,
    channel: str,
    number: str,
    text: str,
    provider: str,
    message_id: str = "",
    now: datetime | None = None,
) -> list[ConsentRecord]:
    """Withdraw consent on ``channel`` for every member with ``number`` if ``text`` refuses."""
    from oscar_loyalty.apps.membership.models import Member

    if not is_refusal(text):
        return []
    now = now or timezone.now()
    try:
        e164 = phones.to_e164(number)
    except phones.InvalidPhoneNumber:
        return []
    number_hash = phones.number_hash(e164, channel)
    records = []
    for member in Member.objects.filter(phone=e164).select_related("user"):
        if member.user is None:
            continue
        answered = (
            OutboxMessage.objects.filter(
                user=member.user, channel=channel, status=OutboxMessage.SENT
            )
            .order_by("-sent_at", "-pk")
            .first()
        )
        record = consent.withdraw_consent(
            member.user,
            channel=channel,
            source=ConsentRecord.SOURCE_REPLY_REFUSAL,
            evidence={
                "number_hash": number_hash,
                "received_at": now.isoformat(),
                "provider": provider,
                "provider_message_id": message_id[:255],
                "reply": text[:160],
                "answered": answered.message_ref if answered else "",
            },
        )
        if record is not None:
            records.append(record)
    # A refusal of the channel: the club's notices on it go back to email
    # (the member may choose the channel again on the profile page).
    Member.objects.filter(phone=e164, notice_channel=channel).update(notice_channel="email")
    return records


def receive_report(
    *,
    channel: str,
    provider: str,
    message_id: str,
    outcome: str,
    error: str = "",
    outbox_id: int | None = None,
) -> int:
    """Apply a delivery report to the outbox row the provider's message id names.

    ``delivered`` confirms the row (a ``sending`` row of a dead worker too, so
    it is not sent again after the lease); a permanent failure marks it
    ``bounced`` and suppresses the number on this channel only. Returns the
    rows changed; a repeated report changes nothing.

    ``outbox_id``: the row's id, where the provider signs it with the report
    (Twilio's status callback URL). It finds the row whose worker died before
    recording the provider's id, or a report that outruns that record; a row
    that recorded another id (an earlier attempt's) is not this report's.
    """
    key = f"{provider}:{message_id}"[:255]
    if outbox_id is not None:
        rows = OutboxMessage.objects.filter(channel=channel, pk=outbox_id).filter(
            Q(esp_message_id=key) | Q(esp_message_id="")
        )
    else:
        rows = OutboxMessage.objects.filter(channel=channel, esp_message_id=key)
    if outcome == DELIVERED:
        return rows.filter(status=OutboxMessage.SENDING).update(
            status=OutboxMessage.SENT, sent_at=timezone.now(), esp_message_id=key
        )
    if outcome != FAILED_PERMANENTLY:
        return 0
    with transaction.atomic():
        changed = 0
        for row in rows.select_for_update().exclude(status=OutboxMessage.BOUNCED):
            Suppression.objects.get_or_create(
                email_hash=row.email_hash,  # the number, hashed for this channel
                scope=Suppression.MARKETING,
                defaults={
                    "reason": Suppression.HARD_BOUNCE,
                    "source": f"{provider} delivery report",
                    "esp_event_id": message_id[:255],
                },
            )
            row.status, row.error = OutboxMessage.BOUNCED, error[:2000]
            row.save(update_fields=["status", "error", "updated_at"])
            changed += 1
    return changed


def receive_provider_refusal(
    *, channel: str, provider: str, message_id: str, via: str, now: datetime | None = None
) -> int:
    """The provider refused the row's message: its number is on the provider's removal list.

    The number asked the provider, not us, to stop (a "הסר" the provider
    answered itself), so the refusal reaches our ledger only now, with the
    report. The number is suppressed on ``channel`` and the member whose
    number it still is has their consent on ``channel`` withdrawn, with the
    evidence: the number's hash, when we learnt it, the provider's report id,
    ``via`` (what said so) and the message refused. Returns the rows settled;
    a repeated report changes nothing.
    """
    now = now or timezone.now()
    key = f"{provider}:{message_id}"[:255]
    rows = OutboxMessage.objects.filter(channel=channel, esp_message_id=key)
    changed = 0
    with transaction.atomic():
        for row in rows.select_for_update().exclude(status=OutboxMessage.BOUNCED):
            Suppression.objects.get_or_create(
                email_hash=row.email_hash,  # the number, hashed for this channel
                scope=Suppression.MARKETING,
                defaults={
                    "reason": Suppression.UNSUBSCRIBED,
                    "source": f"{provider} removal list"[:64],
                    "esp_event_id": message_id[:255],
                },
            )
            current = phones.stored_numbers([row.user_id]).get(row.user_id) if row.user_id else ""
            # Consent is bound to the number: a member who changed number since
            # keeps the new one's consent (the old number is suppressed above).
            if current and phones.number_hash(current, channel) == row.email_hash:
                consent.withdraw_consent(
                    row.user,
                    channel=channel,
                    source=ConsentRecord.SOURCE_REPLY_REFUSAL,
                    evidence={
                        "number_hash": row.email_hash,
                        "received_at": now.isoformat(),
                        "provider": provider,
                        "provider_message_id": message_id[:255],
                        "via": via[:160],
                        "answered": row.message_ref,
                    },
                )
            row.status, row.error = OutboxMessage.BOUNCED, f"refused by {via}"[:2000]
            row.save(update_fields=["status", "error", "updated_at"])
            changed += 1
    return changed
