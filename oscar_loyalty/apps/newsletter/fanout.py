"""Fan-out: a campaign's audience, written to the outbox as one pending row per recipient.

The first step of a send (docs/newsletter.md, "Sending: the outbox"): the members of the
campaign's segment who consent on each of its channels, one row per address
(two accounts, one address: one message), suppressed addresses left out. It
commits once, with the campaign marked ``queued``; claiming and sending the
rows is ``sending``'s, and consent is checked again there before every batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone

from oscar_loyalty import phones
from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.hashing import email_hasher
from oscar_loyalty.apps.consent.models import ConsentState
from oscar_loyalty.bulk import insert, new
from oscar_loyalty.exceptions import CampaignAlreadySent, EmptyAudience, NewsletterNotPublished

from . import channel_sending
from .models import Campaign, OutboxMessage


def audience(campaign: Campaign, channel: str = "email"):
    """Members of the campaign's segment (everyone without one) consenting on ``channel``.

    Email needs an address; SMS and WhatsApp a mobile number.
    """
    from oscar_loyalty.apps.membership.models import Member

    members = Member.objects.filter(
        status=Member.ACTIVE,
        user__isnull=False,
        user__is_active=True,
        user_id__in=consent.granted_user_ids("marketing", channel),
    )
    members = members.exclude(user__email="") if channel == "email" else members.exclude(phone="")
    if campaign.segment_id is not None:
        from oscar_loyalty.apps.segments.services import segment_q

        # The segment narrows the audience; it never widens it past consent.
        members = members.filter(segment_q(campaign.segment))
    return members


def fan_out(campaign: Campaign, *, now: datetime | None = None) -> int:
    """One pending outbox row per recipient and channel, in bulk. Returns the number of rows.

    Raises ``CampaignAlreadySent`` for a campaign already fanned out and
    ``EmptyAudience`` when nobody may receive it (the campaign stays a draft).
    """
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status not in (Campaign.DRAFT, Campaign.SCHEDULED):
            raise CampaignAlreadySent()
        if "email" in campaign.channels and not campaign.newsletter.live:
            raise NewsletterNotPublished()
        written = 0
        for channel in campaign.channels:
            written += _fan_out_channel(campaign, channel, now=now)
        if not written:
            raise EmptyAudience()
        campaign.status = Campaign.QUEUED
        campaign.queued_at = now
        campaign.recipients = written
        campaign.save(update_fields=["status", "queued_at", "recipients"])
    return written


class Recipient(NamedTuple):
    user_id: int
    address: str  # the email address, or the number in E.164
    language: str
    address_hash: str


def recipients(campaign: Campaign, channel: str) -> Iterator[list[Recipient]]:
    """The channel's recipients as fan-out writes them, a chunk at a time.

    One per address (two accounts, one address: one message), consent bound
    to the number it was given for (SMS, WhatsApp), suppressed addresses
    left out. The cost estimate counts the same recipients (``sms_authoring``).
    Memory stays flat however large the audience (only the set of address
    hashes seen grows: ~100 bytes each).
    """
    seen: set[str] = set()
    members = audience(campaign, channel)
    if channel == "email":
        address_hash, field = email_hasher(), "user__email"
    else:
        # As stored (E.164 text): through the model field each number would be parsed again.
        address_hash, field = phones.number_hasher(channel), "e164"
        members = members.annotate(e164=Cast("phone", output_field=CharField()))
        # Consent is bound to the number it was given for: a member whose
        # number changed since has none for the new one (``gate`` checks again).
        bound = dict(
            ConsentState.objects.filter(
                purpose="marketing", channel=channel, status=ConsentState.GRANTED
            ).values_list("user_id", "email_hash")
        )
    chunk: list[Recipient] = []
    candidates = members.order_by("user_id").values_list("user_id", field, "language")
    for user_id, address, language in candidates.iterator(chunk_size=FAN_OUT_CHUNK):
        hashed = address_hash(address)
        if channel != "email" and bound.get(user_id) not in ("", hashed):
            continue
        if hashed in seen:
            continue
        seen.add(hashed)
        chunk.append(Recipient(user_id, address, language or settings.LANGUAGE_CODE, hashed))
        if len(chunk) >= FAN_OUT_CHUNK:
            yield _unsuppressed(chunk)
            chunk = []
    if chunk:
        yield _unsuppressed(chunk)


def _unsuppressed(chunk: list[Recipient]) -> list[Recipient]:
    suppressed = consent.suppressed_hashes([r.address_hash for r in chunk], marketing=True)
    return [r for r in chunk if r.address_hash not in suppressed]


def _fan_out_channel(campaign: Campaign, channel: str, *, now: datetime) -> int:
    written, zones = 0, {}
    for chunk in recipients(campaign, channel):
        rows = [
            new(
                OutboxMessage,
                campaign_id=campaign.pk,
                user_id=r.user_id,
                channel=channel,
                email_hash=r.address_hash,
                language=r.language,
                next_attempt_at=now
                if channel == "email"
                else channel_sending.first_allowed(r.address, now, cache=zones),
            )
            for r in chunk
        ]
        written += _write_outbox_chunk(rows)
    return written


FAN_OUT_CHUNK = 2000


def _write_outbox_chunk(rows: list[OutboxMessage]) -> int:
    """Insert the rows (suppressed addresses are already left out); returns how many.

    Streamed with ``COPY`` on PostgreSQL (``oscar_loyalty.bulk``): building
    model instances and ``INSERT`` parameters was most of a 100k fan-out. No
    ``ignore_conflicts``: the campaign row is locked and addresses are
    de-duplicated above, so the unique constraints can only fire on a bug, and
    then the whole fan-out rolls back rather than miscount its recipients.
    """
    if not rows:
        return 0
    insert(OutboxMessage, rows, with_pks=False)
    return len(rows)
