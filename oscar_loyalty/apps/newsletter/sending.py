"""The outbox: claim chunks of a campaign's rows (written by ``fanout``), send each as one batch.

No message lost, a duplicate only after a crash (docs/newsletter.md, "Guarantees")
---------------------------------------------------------------------------------
Each row goes ``pending → claimed → sending → sent``; every arrow is its own
committed transaction, and the ESP call happens only after ``sending`` (with
a fresh lease) has been committed. A worker may die between any two of them:

* Killed after the claim, before ``sending``: nothing was handed to the ESP.
  When the lease runs out the rows go back to ``pending`` and are sent once.
* Killed after ``sending`` (during or after the ESP call, before ``sent``):
  the ESP may have the batch. Its webhook events, which echo each row's
  outbox id in the metadata, turn the rows it accepted into ``sent`` as they
  arrive (``tracking``). Rows still ``sending`` when the lease runs out go
  back to ``pending`` and are sent again: if the ESP had accepted that batch
  and said nothing within the lease, its recipients get it twice. That is
  the only duplicate, at most one batch per crash (a worker has one batch in
  flight), and no row is ever left unsent.
* An ESP error that came with an HTTP status means the ESP refused the call:
  nothing was sent, so the rows go back to ``pending`` with a backoff (5xx,
  429) or become ``failed`` (other 4xx). An error without a response is the
  ambiguous case above (recovered after the lease), until the last attempt,
  which ends as ``unknown`` for staff instead of trying an unanswering ESP
  forever.

A campaign is ``done`` only when no row is pending, claimed or sending.
Consent and suppressions are checked at fan-out, when a chunk is claimed and
once more after ``sending`` is committed, right before the ESP call.

Claims use ``SELECT … FOR UPDATE SKIP LOCKED`` where the database has it
(PostgreSQL); elsewhere (SQLite) a conditional ``UPDATE … WHERE status =
'pending'`` with a fresh claim token, so two workers never hold one row.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import NamedTuple

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.hashing import normalise_email
from oscar_loyalty.lookups import any_of
from oscar_loyalty.mail import unsubscribe_url_maker

from . import channel_sending, rendering
from .gate import drop_recipients, sendable
from .models import Campaign, OutboxMessage
from .outcomes import record_error, record_statuses
from .personalise import Personaliser

logger = logging.getLogger(__name__)


def checkpoint(name: str) -> None:
    """A named point in the send sequence (tests stop a worker here to simulate a kill)."""


# Claiming --------------------------------------------------------------------


class Claim(NamedTuple):
    token: uuid.UUID
    language: str
    channel: str


def claim_chunk(campaign_id: int, *, size: int | dict[str, int], now: datetime | None = None):
    """Claim up to ``size`` due rows of one channel and language; a ``Claim`` or ``None``.

    ``size`` may be a ``{channel: size}`` dict (each provider's batch).
    """
    now = now or timezone.now()
    due = OutboxMessage.objects.filter(
        campaign_id=campaign_id, status=OutboxMessage.PENDING, next_attempt_at__lte=now
    )
    # Oldest due first, in the order of the (campaign, status, next_attempt_at)
    # index, so a claim reads 500 index entries. Ordering by pk made every
    # claim sort all pending rows: quadratic over a large campaign.
    first = due.order_by("next_attempt_at").values_list("channel", "language").first()
    if first is None:
        return None
    channel, language = first
    if isinstance(size, dict):
        size = size[channel]
    token = uuid.uuid4()
    lease = now + timedelta(seconds=app_settings.NEWSLETTER_LEASE_SECONDS)
    claim = {"status": OutboxMessage.CLAIMED, "claim_token": token, "lease_until": lease}
    with transaction.atomic():
        candidates = due.filter(channel=channel, language=language).order_by("next_attempt_at")
        if connection.features.has_select_for_update_skip_locked:
            ids = list(
                candidates.select_for_update(skip_locked=True).values_list("pk", flat=True)[:size]
            )
        else:
            ids = list(candidates.values_list("pk", flat=True)[:size])
        # Conditional on still being pending: a row another worker claimed in
        # the meantime is not taken (the SQLite path's only guard). By primary
        # key alone: with the campaign in the WHERE clause too, PostgreSQL
        # estimated one row for a campaign fanned out since its last ANALYZE
        # and scanned the whole campaign instead of 500 keys.
        pending = OutboxMessage.objects.filter(status=OutboxMessage.PENDING)
        claimed = pending.filter(any_of("pk", ids)).update(**claim)
    return Claim(token, language, channel) if claimed else None


def release_stale(campaign_id: int | None = None, *, now: datetime | None = None) -> dict:
    """Rows whose worker's lease ran out go back to ``pending``, to be sent (again).

    ``claimed`` rows were never handed to the ESP. ``sending`` rows may have
    been: the ESP's events confirm the ones it accepted (``tracking`` turns
    them ``sent`` as they arrive, during the lease); the rest are sent again,
    which duplicates the batch only if the ESP had it but never said so.
    Both keep their place in the queue (``next_attempt_at``).
    """
    now = now or timezone.now()
    rows = OutboxMessage.objects.all()
    if campaign_id is not None:
        rows = rows.filter(campaign_id=campaign_id)
    stale = rows.filter(
        status__in=[OutboxMessage.CLAIMED, OutboxMessage.SENDING], lease_until__lt=now
    )
    released = stale.update(status=OutboxMessage.PENDING, claim_token=None, lease_until=None)
    return {"released": released}


# Sending -----------------------------------------------------------------------


def build_message(campaign: Campaign, rows, *, language: str, esp: str) -> AnymailMessage:
    newsletter = campaign.newsletter.version_for(language)
    subject, html, text = rendering.render_for_batch(newsletter, language=language, esp=esp)
    message = AnymailMessage(
        subject=subject,
        body=text,
        from_email=app_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        to=[],
    )
    message.attach_alternative(html, "text/html")
    message.merge_data, message.merge_headers, message.merge_metadata = {}, {}, {}
    personaliser = Personaliser([row.user for row in rows], language=language)
    urls = unsubscribe_url_maker()
    for row in rows:
        address = normalise_email(row.user.email)
        page, one_click = urls(row.user_id, row.message_ref)
        message.to.append(address)
        message.merge_data[address] = personaliser.values(row.user, unsubscribe_url=page)
        message.merge_headers[address] = {"List-Unsubscribe": f"<{one_click}>"}
        message.merge_metadata[address] = {
            "message": row.message_ref,
            "outbox": str(row.pk),
            "campaign": str(campaign.pk),
        }
    message.extra_headers = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    message.tags = ["loyalty-newsletter"]
    # Opens never (a pixel says little and tells a lot); clicks only when the
    # store turns tracking on (``TRACK_CLICKS``, the switch SMS links follow too).
    message.track_opens = False
    message.track_clicks = app_settings.TRACK_CLICKS
    if esp == "sendgrid":
        message.esp_extra = {"merge_field_format": "-{}-"}
    return message


SEND_FIELDS = (
    "campaign_id",
    "attempts",
    "user__email",
    "user__first_name",
    "user__loyalty_member__budget_min",
    "user__loyalty_member__budget_max",
    "user__loyalty_member__tier__name",
    "user__loyalty_member__tier__translations",
)


def send_chunk(
    campaign: Campaign,
    token,
    *,
    language: str,
    channel: str = "email",
    now: datetime | None = None,
) -> dict:
    """Send the rows claimed with ``token`` as one batch; record each recipient's status.

    SMS and WhatsApp rows go the same way through ``channel_sending`` (the
    same states and checkpoints; a channel backend instead of Anymail).
    """
    now = now or timezone.now()
    if channel != "email":
        return channel_sending.send_chunk(campaign, token, channel=channel, now=now)
    rows = list(
        OutboxMessage.objects.filter(claim_token=token, status=OutboxMessage.CLAIMED)
        .select_related("user", "user__loyalty_member__tier")
        # Only what sending reads: a user row holds a password hash and dates
        # nobody here needs, and building them was a tenth of a 100k send.
        .only(*SEND_FIELDS)
        .order_by("pk")
    )
    ok, skip = sendable(rows)
    if skip:
        OutboxMessage.objects.filter(any_of("pk", [r.pk for r in skip]), claim_token=token).update(
            status=OutboxMessage.SKIPPED, error="no consent or suppressed at send time"
        )
    if not ok:
        return {"sent": 0, "skipped": len(skip)}
    connection_ = get_connection()
    esp = rendering.esp_name(connection_)
    message = build_message(campaign, ok, language=language, esp=esp)
    message.connection = connection_
    checkpoint("claimed")
    # Committed before the ESP call, with a fresh lease: a worker that dies
    # from here on leaves rows that are reconciled or resent after the lease
    # (``release_stale``). The token names exactly the ``ok`` rows now (the
    # skipped ones left ``claimed`` above), without a 500-id IN list.
    marked = OutboxMessage.objects.filter(claim_token=token, status=OutboxMessage.CLAIMED).update(
        status=OutboxMessage.SENDING,
        attempts=F("attempts") + 1,
        lease_until=now + timedelta(seconds=app_settings.NEWSLETTER_LEASE_SECONDS),
    )
    if marked != len(ok):
        # The lease ran out and another worker took some rows: send none of
        # this chunk; ours go back to pending for a fresh claim.
        OutboxMessage.objects.filter(claim_token=token, status=OutboxMessage.SENDING).update(
            status=OutboxMessage.PENDING, claim_token=None
        )
        return {"sent": 0, "skipped": len(skip)}
    checkpoint("sending")
    # The last look at consent, as late as it can be: a withdrawal committed
    # while the batch was rendered is honoured. What remains is the time from
    # this query to the ESP's answer (docs/newsletter.md, "Guarantees").
    ok, withdrawn = sendable(ok)
    if withdrawn:
        drop_recipients(message, withdrawn)
        OutboxMessage.objects.filter(
            any_of("pk", [r.pk for r in withdrawn]),
            claim_token=token,  # never another worker's rows, whatever the lease did
            status=OutboxMessage.SENDING,
        ).update(status=OutboxMessage.SKIPPED, error="consent withdrawn while the batch was built")
        skip += withdrawn
        if not ok:
            return {"sent": 0, "skipped": len(skip)}
    handed = True
    try:
        handed = bool(message.send())
    except AnymailRecipientsRefused:
        pass  # every recipient refused: per-recipient status below
    except AnymailAPIError as exc:
        return record_error(ok, token, exc, now=now) | {"skipped": len(skip)}
    checkpoint("sent")
    return record_statuses(ok, message, token=token, handed=handed, now=now) | {
        "skipped": len(skip)
    }


def process_campaign(
    campaign_id: int, *, now: datetime | None = None, max_chunks: int | None = None
) -> dict:
    """Send every due row of a campaign, chunk by chunk. Safe to run in several workers.

    ``now`` fixes the clock (tests); without it each chunk reads the time, so
    the leases of a send longer than a lease are still a lease from the claim.
    """
    clock = (lambda: now) if now else timezone.now
    totals = {"chunks": 0, "sent": 0, "skipped": 0, "failed": 0}
    campaign = Campaign.objects.select_related("newsletter").filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Campaign.QUEUED:  # deleted, or not sending
        return totals
    release_stale(campaign_id, now=clock())
    size = {"email": rendering.batch_size(rendering.esp_name())}
    for channel in campaign.channels:
        if channel != "email":
            size[channel] = channel_sending.batch_size(channel)
    while max_chunks is None or totals["chunks"] < max_chunks:
        claim = claim_chunk(campaign_id, size=size, now=clock())
        if claim is None:
            break
        result = send_chunk(
            campaign, claim.token, language=claim.language, channel=claim.channel, now=clock()
        )
        totals["chunks"] += 1
        for key in ("sent", "skipped", "failed"):
            totals[key] += result.get(key, 0)
    finish_if_done(campaign_id, now=clock())
    return totals


UNRESOLVED = (OutboxMessage.PENDING, OutboxMessage.CLAIMED, OutboxMessage.SENDING)


def finish_if_done(campaign_id: int, *, now: datetime) -> bool:
    """``done`` once every row is resolved: none pending, claimed or still ``sending``."""
    busy = OutboxMessage.objects.filter(status__in=UNRESOLVED, campaign_id=campaign_id).exists()
    if busy:
        return False
    return bool(
        Campaign.objects.filter(pk=campaign_id, status=Campaign.QUEUED).update(
            status=Campaign.DONE, finished_at=now
        )
    )
