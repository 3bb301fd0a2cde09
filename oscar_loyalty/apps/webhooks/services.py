"""Webhook state changes: recording events in the outbox, and what staff do to endpoints."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oscar_loyalty import app_settings

from . import events
from .models import Delivery, Endpoint, Event, new_secret

logger = logging.getLogger(__name__)

SCHEMES = ("http", "https")


def validate_url(url: str) -> str:
    """Only ``http`` and ``https`` URLs with a host (no ``file:``, ``gopher:``, no credentials).

    The URL is staff's choice and the store's server calls it: docs/webhooks.md
    ("Security") says why that is trusted and what a store may add.
    """
    URLValidator(schemes=list(SCHEMES))(url)
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValidationError(_("Enter an http or https URL."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(_("Leave credentials out of the URL."), code="credentials")
    return url


def subscribed(endpoint_events, type_: str) -> bool:
    return type_ in endpoint_events


# Recording (the outbox) -------------------------------------------------------


def record_event(signal, *, now: datetime | None = None, **arguments) -> Event | None:
    """Write the event a club signal tells of, and its deliveries, in the caller's transaction.

    Called by ``signals.recording`` inside the transaction of the change, so
    the event commits with it or not at all. Nothing is written when no
    endpoint is subscribed to the type. Deliveries are kicked after commit.
    """
    types = events.possible_types(signal)
    if not types:
        return None
    endpoints = [
        (pk, subscribed_to)
        for pk, subscribed_to in _subscriptions()
        if types.intersection(subscribed_to or ())
    ]
    if not endpoints:
        return None
    described = events.describe(signal, **arguments)
    if described is None:
        return None
    targets = [pk for pk, subscribed_to in endpoints if described.type in subscribed_to]
    if not targets:
        return None
    now = now or timezone.now()
    event = Event(type=described.type, version=events.VERSION, member_key=described.member_key)
    event.created_at = now
    event.payload = {
        "id": event.webhook_id,
        "type": described.type,
        "version": events.VERSION,
        "timestamp": now.isoformat(),
        "data": described.data,
    }
    event.save()
    Delivery.objects.bulk_create(
        Delivery(
            endpoint_id=pk,
            event=event,
            member_key=event.member_key,
            next_attempt_at=now,
            created_at=now,
        )
        for pk in targets
    )
    kick_after_commit(targets)
    return event


class _Snapshot:
    """The endpoints' subscriptions, read once per transaction (its on-commit no-op marks it)."""

    def __init__(self, rows: list) -> None:
        self.rows = rows

    def __call__(self) -> None:
        pass


def _subscriptions() -> list:
    """``(pk, events)`` of every endpoint, queried once per transaction.

    A batch job (expiry: one event per account) then costs one query, not one
    per event. The snapshot is valid while its marker is still in the
    transaction's on-commit list at the same place: a commit or a rollback
    (of the transaction, or of the savepoint it was taken in) empties that.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return list(Endpoint.objects.values_list("pk", "events"))
    cached = getattr(connection, "_loyalty_webhooks_snapshot", None)
    if cached is not None:
        index, snapshot = cached
        callbacks = connection.run_on_commit
        if index < len(callbacks) and callbacks[index][1] is snapshot:
            return snapshot.rows
    snapshot = _Snapshot(list(Endpoint.objects.values_list("pk", "events")))
    transaction.on_commit(snapshot)
    connection._loyalty_webhooks_snapshot = (len(connection.run_on_commit) - 1, snapshot)
    return snapshot.rows


class _Kick:
    """One on-commit callback per transaction, however many events it recorded."""

    def __init__(self) -> None:
        self.endpoint_ids: set[int] = set()

    def __call__(self) -> None:
        from .tasks import deliver_endpoint

        for pk in sorted(self.endpoint_ids):
            try:
                deliver_endpoint.enqueue(pk)
            except Exception:  # the sweep (deliver_due) sends it later
                logger.exception("Could not enqueue the webhook deliveries of endpoint %s.", pk)


def kick_after_commit(endpoint_ids) -> None:
    """Enqueue the delivery task of these endpoints once the transaction commits.

    Joins this transaction's pending kick if there is one (a rolled-back
    savepoint drops only callbacks registered inside it, and with them only
    the events written inside it). A lost kick delays, never loses: the
    periodic sweep (``tasks.deliver_due``) sends every due delivery.
    """
    connection = transaction.get_connection()
    for _sids, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _Kick):
            callback.endpoint_ids.update(endpoint_ids)
            return
    kick = _Kick()
    kick.endpoint_ids.update(endpoint_ids)
    transaction.on_commit(kick)


# What staff do -------------------------------------------------------------------


def rotate_secret(endpoint: Endpoint, *, now: datetime | None = None) -> Endpoint:
    """A new secret; the old one still signs beside it for ``WEBHOOKS_ROTATION_HOURS``."""
    now = now or timezone.now()
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = now + timedelta(
            hours=app_settings.WEBHOOKS_ROTATION_HOURS
        )
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return endpoint


def pause_endpoint(endpoint: Endpoint, *, reason: str, now: datetime | None = None) -> bool:
    """Pause an active endpoint (its deliveries wait); ``False`` if it was not active."""
    now = now or timezone.now()
    paused = Endpoint.objects.filter(pk=endpoint.pk, status=Endpoint.ACTIVE).update(
        status=Endpoint.PAUSED, paused_at=now, pause_reason=reason[:255]
    )
    return bool(paused)


def unpause_endpoint(endpoint: Endpoint) -> bool:
    """Resume an endpoint: its waiting deliveries go now, its failure count starts again."""
    with transaction.atomic():
        resumed = Endpoint.objects.filter(pk=endpoint.pk, status=Endpoint.PAUSED).update(
            status=Endpoint.ACTIVE, paused_at=None, pause_reason="", consecutive_failures=0
        )
        if resumed:
            Delivery.objects.filter(endpoint_id=endpoint.pk, status=Delivery.PENDING).update(
                next_attempt_at=timezone.now()
            )
            kick_after_commit([endpoint.pk])
    return bool(resumed)


def resend(delivery: Delivery, *, now: datetime | None = None) -> bool:
    """Staff's resend: the delivery goes again through the queue (never in the request).

    A delivery being sent right now is left alone (``False``). A resend keeps
    the per-member order: later events of the member wait for it again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        updated = (
            Delivery.objects.filter(pk=delivery.pk)
            .exclude(status=Delivery.DELIVERING)
            .update(status=Delivery.PENDING, attempts=0, next_attempt_at=now, delivered_at=None)
        )
        if updated:
            kick_after_commit([delivery.endpoint_id])
    return bool(updated)
