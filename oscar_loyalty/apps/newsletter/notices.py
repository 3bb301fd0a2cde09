"""Member notices by SMS and WhatsApp: outbox rows without a campaign (``oscar_loyalty.notices``).

The same outbox as campaigns (``sending``, ``channel_sending``): a notice is
queued as one ``pending`` row, claimed with a lease, marked ``sending`` before
the provider call, recovered after a crash, and gated again at the claim and
right before the call. What differs is the gate (``sendable_notices``):

* every notice: the member still has the number the row was queued for, the
  number is not suppressed on the channel, and the member still wants notices
  on it (a refusal by reply moves them back to email, ``inbound``);
* an advertising notice (``EMAIL_TYPE_CLASSES``): also advertising consent on
  the channel, bound to the number, and the §30A text;
* quiet hours for every notice but the types in ``NOTICE_URGENT_TYPES``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from oscar_loyalty import app_settings, phones
from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentState
from oscar_loyalty.lookups import any_of

from .channels import ChannelMessage
from .channels.text import compose
from .models import OutboxMessage


def _bound_consent(user_ids, channel: str) -> dict[int, str]:
    return dict(
        ConsentState.objects.filter(
            any_of("user_id", list(user_ids)),
            purpose="marketing",
            channel=channel,
            status=ConsentState.GRANTED,
        ).values_list("user_id", "email_hash")
    )


def waits_for_quiet_hours(row: OutboxMessage) -> bool:
    return row.advertising or row.notice not in app_settings.NOTICE_URGENT_TYPES


def queue_notice(
    member,
    *,
    notice: str,
    channel: str,
    text: str,
    key: str,
    advertising: bool,
    now: datetime | None = None,
) -> bool:
    """One pending outbox row for the notice; ``False`` when ``channel`` cannot reach the member.

    Checked now and again at send time: a number, not suppressed on the
    channel, and for an advertising notice consent on the channel for that
    number. A key already queued is ``True`` and queues nothing.
    """
    from . import channel_sending, tasks

    now = now or timezone.now()
    if OutboxMessage.objects.filter(notice_key=key).exists():
        return True
    if channel == "whatsapp" and not app_settings.WHATSAPP_NOTICE_TEMPLATES.get(notice):
        return False  # WhatsApp opens a conversation only with an approved template
    number = phones.stored_numbers([member.user_id]).get(member.user_id)
    if not number:
        return False
    hashed = phones.number_hash(number, channel)
    if consent.suppressed_hashes([hashed], marketing=True):
        return False
    if advertising and _bound_consent([member.user_id], channel).get(member.user_id) not in (
        "",
        hashed,
    ):
        return False
    row = OutboxMessage(
        campaign=None,
        user_id=member.user_id,
        channel=channel,
        email_hash=hashed,
        language=member.language or "",
        notice=notice,
        notice_key=key,
        body=text,
        advertising=advertising,
    )
    row.next_attempt_at = (
        channel_sending.first_allowed(number, now) if waits_for_quiet_hours(row) else now
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same key, queued by a concurrent call
        return True
    transaction.on_commit(lambda: tasks.process_notices.enqueue())
    return True


def sendable_notices(channel: str, rows: list[OutboxMessage]):
    """The send-time gate of notice rows: ``(ok, skip)`` (see the module's docstring)."""
    from oscar_loyalty.apps.membership.models import Member

    user_ids = [row.user_id for row in rows if row.user_id]
    numbers = phones.stored_numbers(user_ids)
    wanting = set(
        Member.objects.filter(any_of("user_id", user_ids), notice_channel=channel).values_list(
            "user_id", flat=True
        )
    )
    granted = _bound_consent(user_ids, channel)
    number_hash = phones.number_hasher(channel)
    current = {row.pk: number_hash(numbers[row.user_id]) for row in rows if row.user_id in numbers}
    suppressed = consent.suppressed_hashes(current.values(), marketing=True)
    ok, skip = [], []
    for row in rows:
        hashed = current.get(row.pk)
        reachable = (
            hashed
            and hashed == row.email_hash
            and hashed not in suppressed
            and row.user_id in wanting
        )
        if reachable and row.advertising:
            reachable = granted.get(row.user_id) in ("", hashed)
        (ok if reachable else skip).append(row)
    return ok, skip


def build_notice_messages(rows, *, channel: str, numbers: dict[int, str]) -> list[ChannelMessage]:
    """The text as sent: an advertising notice framed by §30A, a service one signed."""
    from .channel_sending import sender_name

    sender, refusal = sender_name(), app_settings.SMS_REFUSAL_TEXT
    templates = app_settings.WHATSAPP_NOTICE_TEMPLATES if channel == "whatsapp" else {}
    return [
        ChannelMessage(
            ref=str(row.pk),
            to=numbers[row.user_id],
            body=(
                compose(row.body, sender=sender, refusal=refusal)
                if row.advertising
                else f"{sender}: {row.body}"
            ),
            template=templates.get(row.notice, ""),
            language=row.language,
            parameters=[row.body] if channel == "whatsapp" else [],
            metadata={"outbox": str(row.pk), "notice": row.notice},
        )
        for row in rows
    ]


def process_notices(*, now: datetime | None = None, max_chunks: int | None = None) -> dict:
    """Send every due notice row, chunk by chunk; recover rows of a dead worker first."""
    from . import channel_sending, sending

    clock = (lambda: now) if now else timezone.now
    OutboxMessage.objects.filter(
        campaign__isnull=True,
        status__in=[OutboxMessage.CLAIMED, OutboxMessage.SENDING],
        lease_until__lt=clock(),
    ).update(status=OutboxMessage.PENDING, claim_token=None, lease_until=None)
    size = {channel: channel_sending.batch_size(channel) for channel in ("sms", "whatsapp")}
    totals = {"chunks": 0, "sent": 0, "skipped": 0, "failed": 0}
    while max_chunks is None or totals["chunks"] < max_chunks:
        claim = sending.claim_chunk(None, size=size, now=clock())
        if claim is None:
            break
        result = channel_sending.send_chunk(None, claim.token, channel=claim.channel, now=clock())
        totals["chunks"] += 1
        for name in ("sent", "skipped", "failed"):
            totals[name] += result.get(name, 0)
    return totals
