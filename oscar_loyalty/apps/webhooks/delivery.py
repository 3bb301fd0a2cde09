"""Sending: claim an endpoint's due deliveries with a lease, POST each signed, record the outcome.

At least once, in order per member (docs/webhooks.md, "Guarantees")
-------------------------------------------------------------------
A delivery goes ``pending → delivering → delivered``; each arrow is its own
committed transaction, and the request is made only after the claim
(``delivering``, with a lease) has committed. A worker may die anywhere:

* before the request, or during it, or before recording the answer: when the
  lease runs out (``release_stale``) the delivery is ``pending`` again and is
  sent again. The endpoint may then receive an event twice; it deduplicates
  by the event id (the ``webhook-id`` header, the payload's ``id``).
* A failed attempt (no answer within ``WEBHOOKS_TIMEOUT``, a refused
  connection, any status but 2xx, a redirect: redirects are not followed)
  goes back to ``pending`` with an exponential backoff and jitter
  (``retry_delay``), or ``failed`` after ``WEBHOOKS_MAX_ATTEMPTS``.

**Order.** For one endpoint and one member, a delivery is claimed only when
no earlier event's delivery is ``pending`` or ``delivering`` (``claim``), so
event N+1 never reaches the endpoint before N succeeded or was given up.
**Isolation.** Claims are per endpoint and each endpoint has its own task;
a slow endpoint holds only its own worker. Claims use ``SELECT … FOR UPDATE
SKIP LOCKED`` where the database has it (PostgreSQL); everywhere a
conditional ``UPDATE … WHERE status = 'pending'`` with a fresh token, so
two workers never hold one delivery.
**Pausing.** ``WEBHOOKS_PAUSE_AFTER`` failed attempts in a row pause the
endpoint (its deliveries wait, none is lost) and staff are emailed.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib import error as urlerror
from urllib import request as urlrequest

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from oscar_loyalty import app_settings

from . import services
from .models import Delivery, DeliveryAttempt, Endpoint, Event

logger = logging.getLogger(__name__)

OPEN = (Delivery.PENDING, Delivery.DELIVERING)
USER_AGENT = "oscar-loyalty-webhooks/1"


def checkpoint(name: str) -> None:
    """A named point in the send sequence (tests stop a worker here to simulate a kill)."""


# Retries ---------------------------------------------------------------------------

_random = random.Random()


def seed(value) -> None:
    """Make the jitter repeatable (tests, benchmarks)."""
    _random.seed(value)


def retry_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: doubling, capped, with jitter.

    "Equal jitter": a random point in the upper half of the doubled delay, so
    endpoints that failed together do not all retry at the same second, and
    no retry comes sooner than half its step.
    """
    first, most = app_settings.WEBHOOKS_RETRY_SECONDS
    step = min(most, first * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=step / 2 + (rng or _random).uniform(0, step / 2))


# Signing and sending -----------------------------------------------------------------


def body_of(event: Event) -> bytes:
    """The exact bytes signed and sent (the envelope, compact, keys sorted)."""
    return json.dumps(
        event.payload, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True
    ).encode()


def signed_headers(endpoint: Endpoint, event: Event, body: bytes, *, now: datetime) -> dict:
    """Standard Webhooks headers; during a rotation one signature per live secret."""
    signatures = " ".join(
        Webhook(secret).sign(event.webhook_id, now, body)
        for secret in endpoint.signing_secrets(now)
    )
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": event.webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
    }


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urlrequest.HTTPRedirectHandler):
    """A redirect is a failed attempt: never follow it to another host (or inside the network)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urlrequest.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict, *, timeout: float) -> Outcome:
    """One POST; never raises for what the network or the endpoint did."""
    started = time.monotonic()
    # The scheme was checked when staff saved the URL (services.validate_url): http(s) only.
    request = urlrequest.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(4096)  # a little of the answer; the rest is not ours to read
            code, error = response.status, ""
    except urlerror.HTTPError as exc:  # 3xx (not followed), 4xx, 5xx
        code, error = exc.code, f"HTTP {exc.code}"
        exc.close()
    except (urlerror.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        code, error = None, (str(getattr(exc, "reason", "") or exc) or type(exc).__name__)
    return Outcome(code, int((time.monotonic() - started) * 1000), error[:255])


def _send(endpoint: Endpoint, delivery: Delivery) -> Outcome:
    body = body_of(delivery.event)
    headers = signed_headers(endpoint, delivery.event, body, now=timezone.now())
    return post(endpoint.url, body, headers, timeout=app_settings.WEBHOOKS_TIMEOUT)


# Claiming ------------------------------------------------------------------------------


def claim(endpoint_id: int, *, size: int, now: datetime) -> uuid.UUID | None:
    """Claim up to ``size`` due deliveries of one endpoint, oldest event first.

    A delivery whose member has an earlier event still open for this endpoint
    is not due: that keeps each member's events in order.
    """
    earlier_open = Delivery.objects.filter(
        endpoint_id=endpoint_id,
        member_key=OuterRef("member_key"),
        event_id__lt=OuterRef("event_id"),
        status__in=OPEN,
    )
    due = (
        Delivery.objects.filter(
            endpoint_id=endpoint_id, status=Delivery.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(member_key="") | ~Exists(earlier_open))
        .order_by("event_id")
    )
    token = uuid.uuid4()
    lease = now + timedelta(seconds=app_settings.WEBHOOKS_LEASE_SECONDS)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:size])
        else:
            ids = list(due.values_list("pk", flat=True)[:size])
        # Conditional: a delivery another worker took in the meantime stays theirs.
        claimed = Delivery.objects.filter(pk__in=ids, status=Delivery.PENDING).update(
            status=Delivery.DELIVERING, claim_token=token, lease_until=lease
        )
    return token if claimed else None


def release_stale(endpoint_id: int | None = None, *, now: datetime | None = None) -> int:
    """Deliveries whose worker's lease ran out go back to ``pending`` (sent again, in order)."""
    stale = Delivery.objects.filter(
        status=Delivery.DELIVERING, lease_until__lt=now or timezone.now()
    )
    if endpoint_id is not None:
        stale = stale.filter(endpoint_id=endpoint_id)
    return stale.update(status=Delivery.PENDING, claim_token=None, lease_until=None)


# Recording the outcome -----------------------------------------------------------------


def record(
    endpoint: Endpoint, delivery: Delivery, outcome: Outcome, *, token, now: datetime
) -> str:
    """Log the attempt and move the delivery on; pause the endpoint after too many failures."""
    number = delivery.attempts + 1
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
            created_at=now,
        )
        # Only while still ours: after a lost lease another worker owns it.
        mine = Delivery.objects.filter(pk=delivery.pk, claim_token=token)
        done = {"claim_token": None, "lease_until": None, "last_status_code": outcome.status_code}
        if outcome.ok:
            mine.update(status=Delivery.DELIVERED, attempts=number, delivered_at=now, **done)
            Endpoint.objects.filter(pk=endpoint.pk).update(
                consecutive_failures=0, last_success_at=now
            )
            return Delivery.DELIVERED
        if number >= app_settings.WEBHOOKS_MAX_ATTEMPTS:
            status = Delivery.FAILED
            mine.update(status=status, attempts=number, **done)
        else:
            status = Delivery.PENDING
            mine.update(
                status=status,
                attempts=number,
                next_attempt_at=now + retry_delay(number),
                **done,
            )
        Endpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=F("consecutive_failures") + 1, last_failure_at=now
        )
        failures = Endpoint.objects.values_list("consecutive_failures", flat=True).get(
            pk=endpoint.pk
        )
        if failures >= app_settings.WEBHOOKS_PAUSE_AFTER and services.pause_endpoint(
            endpoint, reason=f"{failures} failed attempts in a row", now=now
        ):
            pk = endpoint.pk
            transaction.on_commit(lambda: notify_paused(pk))
    return status


def notify_paused(endpoint_id: int) -> None:
    """Email staff that an endpoint was paused (the dashboard lists it as paused too)."""
    from .notices import send_paused_notice

    send_paused_notice(endpoint_id)


# The loops ---------------------------------------------------------------------------


#: How long one call keeps sending to one endpoint before it hands the rest to a new
#: task at the back of the queue. A worker runs one task at a time, so without a turn
#: a slow endpoint (each request up to ``WEBHOOKS_TIMEOUT``) would hold the worker,
#: and every other endpoint's deliveries behind it, until its backlog was gone.
TURN_SECONDS = 10.0


def deliver_endpoint(
    endpoint_id: int, *, max_batches: int | None = None, turn_seconds: float | None = None
) -> dict:
    """Send an endpoint's due deliveries, a claimed batch at a time, for one turn.

    Stops when none is due, or after ``max_batches``, or once ``turn_seconds``
    (default ``TURN_SECONDS``) have passed after a batch: the rest is then
    enqueued as a new task (``_hand_on``), so other endpoints' tasks run in between.
    """
    counts: Counter = Counter()
    release_stale(endpoint_id)
    batches = 0
    turn_ends = time.monotonic() + (TURN_SECONDS if turn_seconds is None else turn_seconds)
    while max_batches is None or batches < max_batches:
        if batches and time.monotonic() >= turn_ends:
            _hand_on(endpoint_id)
            break
        endpoint = Endpoint.objects.filter(pk=endpoint_id).first()
        if endpoint is None or not endpoint.is_active:
            break
        token = claim(endpoint_id, size=app_settings.WEBHOOKS_BATCH_SIZE, now=timezone.now())
        if token is None:
            break
        batches += 1
        rows = list(
            Delivery.objects.filter(claim_token=token, status=Delivery.DELIVERING)
            .select_related("event")
            .order_by("event_id")
        )
        checkpoint("claimed")
        # At most one delivery per member in a batch (``claim``): sent side by side.
        workers = max(1, min(app_settings.WEBHOOKS_CONCURRENCY, len(rows)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_send, [endpoint] * len(rows), rows))
        checkpoint("sent")
        # One commit for the batch's outcomes (a commit is an fsync): a worker
        # dying here loses them all, and the batch is sent again after the lease.
        with transaction.atomic():
            for row, outcome in zip(rows, outcomes, strict=True):
                counts[record(endpoint, row, outcome, token=token, now=timezone.now())] += 1
    _schedule_retry(endpoint_id)
    return dict(counts)


def _hand_on(endpoint_id: int) -> None:
    """The turn is over: the endpoint's next batches go to a task behind the others."""
    from django_tasks import default_task_backend
    from django_tasks.backends.immediate import ImmediateBackend

    if isinstance(default_task_backend, ImmediateBackend):
        return  # no queue to go behind: the sweep (every minute) sends the rest
    from .tasks import deliver_endpoint as task

    task.enqueue(endpoint_id)


def _schedule_retry(endpoint_id: int) -> None:
    """With a task backend that can wait, run again when the next retry is due."""
    from django_tasks import default_task_backend

    if not default_task_backend.supports_defer:
        return  # the sweep (deliver_due, every minute) picks retries up
    later = (
        Delivery.objects.filter(endpoint_id=endpoint_id, status=Delivery.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if later is not None and later > timezone.now():
        from .tasks import deliver_endpoint as task

        task.using(run_after=later).enqueue(endpoint_id)


def due_endpoints(*, now: datetime | None = None) -> list[int]:
    due = Delivery.objects.filter(
        status=Delivery.PENDING, next_attempt_at__lte=now or timezone.now()
    )
    return list(
        Endpoint.objects.filter(status=Endpoint.ACTIVE)
        .filter(Exists(due.filter(endpoint_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )


def deliver_due(*, inline: bool = False) -> dict:
    """The sweep: release dead workers' claims, then each endpoint with due deliveries.

    Each endpoint gets a task of its own, for one turn (``TURN_SECONDS``): a slow
    one holds a worker for a turn at most; ``inline`` delivers here instead, one
    endpoint's turn after another (the command).
    """
    released = release_stale()
    endpoints = due_endpoints()
    if inline:
        for pk in endpoints:
            deliver_endpoint(pk)
    else:
        from .tasks import deliver_endpoint as task

        for pk in endpoints:
            task.enqueue(pk)
    return {"released": released, "endpoints": len(endpoints)}
