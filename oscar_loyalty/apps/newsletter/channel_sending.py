"""SMS and WhatsApp rows of the outbox: the email path's states, with a channel backend.

The same guarantee as email (``sending``'s docstring, docs/newsletter.md
"Guarantees"): rows are claimed with a lease, ``sending`` is committed with a
fresh lease before the provider call, consent and suppressions are checked at
the claim and again after ``sending`` is committed, a dead worker's rows go
back to ``pending`` after the lease, and the outcome of a provider call is
recorded conditionally on ``sending``, so no row is settled twice. Only what
differs lives here: the number instead of the address, quiet hours, the §30A
text, and the backend (``channels``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F

from oscar_loyalty import app_settings, phones
from oscar_loyalty.lookups import any_of

from .channels import ChannelAPIError, ChannelMessage, get_backend, quiet
from .channels.text import compose
from .gate import sendable_on
from .models import Campaign, OutboxMessage
from .outcomes import record_error
from .sms_fields import SmsValues

logger = logging.getLogger("oscar_loyalty.apps.newsletter.sending")


def batch_size(channel: str) -> int:
    return get_backend(channel).batch_size


def first_allowed(number: str, now: datetime, *, cache: dict | None = None) -> datetime:
    """When an advertisement may reach ``number`` (quiet hours in the number's time zone).

    ``cache``: a dict kept over one batch (one ``now``): numbers of one time
    zone share the answer.
    """
    zone = phones.time_zone(number, app_settings.QUIET_TIME_ZONE)
    if cache is None:
        return quiet.next_allowed(now, zone)
    key = (now, zone)
    if key not in cache:
        cache[key] = quiet.next_allowed(now, zone)
    return cache[key]


def sender_name() -> str:
    if app_settings.SMS_SENDER_NAME:
        return app_settings.SMS_SENDER_NAME
    from django.contrib.sites.models import Site

    return Site.objects.get_current().name


def build_messages(
    campaign: Campaign, rows, *, channel: str, numbers: dict[int, str]
) -> list[ChannelMessage]:
    """One message per row: the text merged for its recipient, then wrapped under §30A.

    A claim holds rows of one language; the merge values of the whole chunk
    are read at once (``sms_fields``).
    """
    sender, refusal = sender_name(), app_settings.SMS_REFUSAL_TEXT
    rows = list(rows)
    language = rows[0].language if rows else ""
    merged = SmsValues(
        [row.user for row in rows if row.user],
        language=language,
        text=campaign.sms_text,
        messages={row.user_id: row for row in rows if row.user_id},
    )
    messages = []
    for row in rows:
        first_name = row.user.first_name if row.user else ""
        body = merged.merge(row.user) if row.user else campaign.sms_text or ""
        messages.append(
            ChannelMessage(
                ref=str(row.pk),
                to=numbers[row.user_id],
                body=compose(body, sender=sender, refusal=refusal),
                template=campaign.whatsapp_template if channel == "whatsapp" else "",
                language=row.language,
                parameters=[first_name] if channel == "whatsapp" else [],
                metadata={"outbox": str(row.pk), "campaign": str(campaign.pk)},
            )
        )
    return messages


SEND_FIELDS = (
    "campaign_id",
    "channel",
    "email_hash",
    "attempts",
    "language",
    "user__first_name",
    # A member notice's (``notices``): its text and whether it advertises.
    "notice",
    "body",
    "advertising",
)


def _claimed(token, status=OutboxMessage.CLAIMED):
    return OutboxMessage.objects.filter(claim_token=token, status=status)


def send_chunk(campaign: Campaign | None, token, *, channel: str, now: datetime) -> dict:
    """The SMS/WhatsApp twin of ``sending.send_chunk``: the same steps, in the same order.

    ``campaign`` ``None``: a chunk of member notices (``notices``), with their
    own gate and text.
    """
    from . import notices, sending  # sending: the checkpoints tests stop a worker at

    gate = sendable_on if campaign is not None else notices.sendable_notices
    rows = list(_claimed(token).select_related("user").only(*SEND_FIELDS).order_by("pk"))
    ok, skip = gate(channel, rows)
    if skip:
        _claimed(token).filter(any_of("pk", [r.pk for r in skip])).update(
            status=OutboxMessage.SKIPPED, error="no consent or suppressed at send time"
        )
    # Quiet hours, read again now: a row due at 19:59 and claimed at 20:01
    # waits for the morning, keeping its place (pending, not failed).
    waiting = {}
    numbers, cache = phones.stored_numbers(row.user_id for row in ok), {}
    for row in ok:
        if campaign is None and not notices.waits_for_quiet_hours(row):
            continue
        allowed = first_allowed(numbers[row.user_id], now, cache=cache)
        if allowed > now:
            waiting[row.pk] = allowed
    if waiting:
        for pk, allowed in waiting.items():
            _claimed(token).filter(pk=pk).update(
                status=OutboxMessage.PENDING, claim_token=None, lease_until=None,
                next_attempt_at=allowed,
            )  # fmt: skip
        ok = [row for row in ok if row.pk not in waiting]
    if not ok:
        return {"sent": 0, "skipped": len(skip), "waiting": len(waiting)}
    backend = get_backend(channel)
    if campaign is None:
        messages = notices.build_notice_messages(ok, channel=channel, numbers=numbers)
    else:
        messages = build_messages(campaign, ok, channel=channel, numbers=numbers)
    sending.checkpoint("claimed")
    marked = _claimed(token).update(
        status=OutboxMessage.SENDING,
        attempts=F("attempts") + 1,
        lease_until=now + timedelta(seconds=app_settings.NEWSLETTER_LEASE_SECONDS),
    )
    if marked != len(ok):
        # The lease ran out and another worker took some rows: send none.
        _claimed(token, OutboxMessage.SENDING).update(
            status=OutboxMessage.PENDING, claim_token=None
        )
        return {"sent": 0, "skipped": len(skip)}
    sending.checkpoint("sending")
    ok, withdrawn = gate(channel, ok)  # a "הסר" that arrived meanwhile is honoured
    if withdrawn:
        gone = {str(r.pk) for r in withdrawn}
        messages = [m for m in messages if m.ref not in gone]
        _claimed(token, OutboxMessage.SENDING).filter(
            any_of("pk", [r.pk for r in withdrawn])
        ).update(status=OutboxMessage.SKIPPED, error="consent withdrawn while the batch was built")
        skip += withdrawn
        if not ok:
            return {"sent": 0, "skipped": len(skip)}
    try:
        statuses = backend.send_messages(messages)
    except ChannelAPIError as exc:
        return record_error(ok, token, exc, now=now) | {"skipped": len(skip)}
    sending.checkpoint("sent")
    return record_channel_statuses(ok, statuses, token=token, provider=backend.name, now=now) | {
        "skipped": len(skip)
    }


def record_channel_statuses(rows, statuses, *, token, provider: str, now: datetime) -> dict:
    """Each row becomes ``sent`` (with the provider's message id) or ``failed``.

    ``unknown`` (the provider did not answer for that message) stays
    ``sending``: recovered after the lease, like a crash. One UPDATE per
    outcome, the message ids by ``CASE`` (each SMS has its own id), always
    conditional on ``sending`` under this claim token.
    """
    sent, failed = {}, {}
    for row in rows:
        result = statuses.get(str(row.pk))
        if result is None or result.status == "unknown":
            continue
        target = sent if result.status in ("queued", "sent") else failed
        target[row.pk] = result
    base = OutboxMessage.objects.filter(claim_token=token, status=OutboxMessage.SENDING)
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    with transaction.atomic():
        for group, status in ((sent, OutboxMessage.SENT), (failed, OutboxMessage.FAILED)):
            if not group:
                continue
            base.filter(any_of("pk", list(group))).update(
                status=status, sent_at=now if status == OutboxMessage.SENT else None
            )
            # Each message has its own id: one statement run for many rows
            # (a CASE of 500 branches cost more to build than the send).
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET esp_message_id = %s, error = %s "  # noqa: S608
                    "WHERE id = %s AND claim_token = %s AND status = %s",
                    [
                        (f"{provider}:{r.message_id}"[:255], r.error[:2000], pk,
                         _token(token), status)
                        for pk, r in group.items()
                    ],
                )  # fmt: skip
    return {"sent": len(sent), "failed": len(failed)}


def _token(token):
    """The claim token as the database compares it (a UUID column: text on SQLite)."""
    return OutboxMessage._meta.get_field("claim_token").get_db_prep_value(token, connection)
