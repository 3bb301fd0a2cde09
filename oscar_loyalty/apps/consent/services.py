"""Every change to consent and to the suppression list goes through here.

Invariants:

* ``ConsentRecord`` is append-only evidence; ``ConsentState`` is derived from
  it and written in the same transaction, under a row lock, so the two never
  disagree.
* Only ``ConsentState.GRANTED`` is consent. With double opt-in a grant from a
  form makes the state ``pending`` until the member follows the signed link.
* Suppressions are keyed by a keyed hash of the address (``hashing``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from oscar_loyalty import app_settings, signals
from oscar_loyalty.lookups import any_of

from . import known
from .hashing import email_hash
from .models import ConsentRecord, ConsentState, Suppression
from .tokens import InvalidToken, make_confirm_token, read_confirm_token
from .wording import MARKETING, Wording, get_wording


def request_metadata(request: HttpRequest | None) -> dict[str, str | None]:
    """The IP address and user agent a consent record keeps as evidence.

    ``REMOTE_ADDR`` only: ``X-Forwarded-For`` can be forged by the client, and
    a store behind a proxy should set ``REMOTE_ADDR`` in its proxy middleware.
    """
    if request is None:
        return {"ip_address": None, "user_agent": ""}
    return {
        "ip_address": request.META.get("REMOTE_ADDR") or None,
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:512],
    }


def needs_double_opt_in(purpose: str, channel: str) -> bool:
    return app_settings.DOUBLE_OPT_IN and purpose == MARKETING and channel == "email"


def _next_status(previous: str | None, *, action: str, source: str, purpose: str, channel: str):
    if action == ConsentRecord.WITHDRAW:
        return ConsentState.WITHDRAWN
    if previous == ConsentState.GRANTED or source in ConsentRecord.CONFIRMED_SOURCES:
        return ConsentState.GRANTED
    if needs_double_opt_in(purpose, channel):
        return ConsentState.PENDING
    return ConsentState.GRANTED


def _locked_state(user, purpose: str, channel: str) -> ConsentState | None:
    return (
        ConsentState.objects.select_for_update()
        .filter(user=user, purpose=purpose, channel=channel)
        .first()
    )


def record_consent(
    user,
    *,
    purpose: str,
    channel: str,
    action: str,
    source: str,
    request: HttpRequest | None = None,
    wording: Wording | None = None,
    evidence: dict | None = None,
    now: datetime | None = None,
) -> ConsentRecord:
    """Append one grant or withdrawal and update the current state with it.

    A grant of marketing email from a form (with ``OSCAR_LOYALTY_DOUBLE_OPT_IN``)
    leaves the state ``pending`` and emails the confirmation link once the
    transaction commits.
    """
    if action not in (ConsentRecord.GRANT, ConsentRecord.WITHDRAW):
        raise ValueError(f"Unknown consent action {action!r}")
    wording = wording or get_wording(purpose, channel)
    now = now or timezone.now()
    with transaction.atomic():
        state = _locked_state(user, purpose, channel)
        record = ConsentRecord.objects.create(
            user=user,
            purpose=purpose,
            channel=channel,
            action=action,
            wording_version=wording.version,
            wording_text=wording.text,
            source=source,
            email_hash=email_hash(user.email) if user is not None and user.email else "",
            evidence=evidence or {},
            created_at=now,
            **request_metadata(request),
        )
        previous = state.status if state else None
        status = _next_status(
            previous, action=action, source=source, purpose=purpose, channel=channel
        )
        if state is None:
            try:
                with transaction.atomic():
                    state = ConsentState.objects.create(
                        user=user, purpose=purpose, channel=channel, status=status,
                        last_record=record, updated_at=now,
                    )  # fmt: skip
            except IntegrityError:
                # A concurrent first record for the pair won the insert: lock it and go on.
                state = _locked_state(user, purpose, channel)
                previous = state.status
                status = _next_status(
                    previous, action=action, source=source, purpose=purpose, channel=channel
                )
        state.status = status
        state.last_record = record
        state.updated_at = now
        if status == ConsentState.GRANTED and previous != ConsentState.GRANTED:
            state.granted_at = now
        if status == ConsentState.WITHDRAWN and previous != ConsentState.WITHDRAWN:
            state.withdrawn_at = now
        state.save()
        if status == ConsentState.GRANTED and source == ConsentRecord.SOURCE_DOI and user.email:
            # A confirmed new grant lifts an earlier marketing-only suppression
            # (complaint, unsubscribe); bounces ("all") stay.
            Suppression.objects.filter(
                email_hash=email_hash(user.email), scope=Suppression.MARKETING
            ).delete()
    transaction.on_commit(
        lambda: signals.consent_changed.send(sender=ConsentRecord, record=record)
    )
    if status == ConsentState.PENDING and previous != ConsentState.PENDING:
        transaction.on_commit(lambda: send_confirmation(record))
    return record


def send_confirmation(record: ConsentRecord) -> bool:
    """Email the double opt-in link for a pending grant (transactional mail)."""
    from django.urls import reverse

    from oscar_loyalty.mail import absolute_url, send_email

    token = make_confirm_token(
        record.user_id, record_id=record.pk, purpose=record.purpose, channel=record.channel
    )
    url = absolute_url(reverse("loyalty:consent-confirm", args=[token]))
    return send_email(
        record.user,
        email_type="consent_confirmation",
        context={"confirm_url": url, "wording": record.wording_text},
    )


def confirm_consent(token: str, *, request: HttpRequest | None = None) -> ConsentRecord | None:
    """Follow a double opt-in link: the pending grant becomes consent.

    Returns the confirming record, or ``None`` when there is nothing to confirm
    (already confirmed, or withdrawn since). Raises ``InvalidToken``.
    """
    data = read_confirm_token(token)
    user = get_user_model().objects.filter(pk=data.user_id).first()
    if user is None:
        raise InvalidToken("no such user")
    with transaction.atomic():
        state = _locked_state(user, data.purpose, data.channel)
        if state is None or state.status != ConsentState.PENDING:
            return None
        return record_consent(
            user,
            purpose=data.purpose,
            channel=data.channel,
            action=ConsentRecord.GRANT,
            source=ConsentRecord.SOURCE_DOI,
            request=request,
            evidence={"confirms": data.message},
        )


def withdraw_consent(
    user,
    *,
    purpose: str = MARKETING,
    channel: str = "email",
    source: str,
    request: HttpRequest | None = None,
    evidence: dict | None = None,
) -> ConsentRecord | None:
    """Withdraw, idempotently: returns ``None`` when it was already withdrawn."""
    with transaction.atomic():
        state = _locked_state(user, purpose, channel)
        if state is not None and state.status == ConsentState.WITHDRAWN:
            return None
        return record_consent(
            user,
            purpose=purpose,
            channel=channel,
            action=ConsentRecord.WITHDRAW,
            source=source,
            request=request,
            evidence=evidence,
        )


def grant_consents(
    user,
    *,
    channels: Iterable[str],
    source: str,
    request: HttpRequest | None = None,
    purpose: str = "marketing",
) -> list[ConsentRecord]:
    """Record a grant for each ticked channel (an unticked box records nothing)."""
    return [
        record_consent(
            user,
            purpose=purpose,
            channel=channel,
            action=ConsentRecord.GRANT,
            source=source,
            request=request,
        )
        for channel in channels
    ]


def consent_states(user) -> dict[tuple[str, str], str]:
    """``{(purpose, channel): status}`` from the derived state table."""
    if user is None or user.pk is None:
        return {}
    return {
        (purpose, channel): status
        for purpose, channel, status in ConsentState.objects.filter(user=user).values_list(
            "purpose", "channel", "status"
        )
    }


def current_consents(user) -> dict[tuple[str, str], bool]:
    """``{(purpose, channel): granted}``; pending (unconfirmed) counts as not granted."""
    return {key: status == ConsentState.GRANTED for key, status in consent_states(user).items()}


def has_consent(user, *, purpose: str, channel: str) -> bool:
    return ConsentState.objects.filter(
        user=user, purpose=purpose, channel=channel, status=ConsentState.GRANTED
    ).exists()


def granted_user_ids(purpose: str = MARKETING, channel: str = "email"):
    """A subquery of users whose current consent is granted (one indexed scan)."""
    return ConsentState.objects.filter(
        purpose=purpose, channel=channel, status=ConsentState.GRANTED
    ).values("user_id")


def rebuild_states(users=None) -> int:
    """Re-derive ``ConsentState`` from the ledger (repairs, imports). Returns rows written."""
    records = ConsentRecord.objects.order_by("created_at", "pk")
    if users is not None:
        records = records.filter(user__in=users)
    derived: dict[tuple[int, str, str], tuple[str, ConsentRecord]] = {}
    for record in records.exclude(user=None).iterator():
        key = (record.user_id, record.purpose, record.channel)
        previous = derived.get(key, (None, None))[0]
        status = _next_status(
            previous,
            action=record.action,
            source=record.source,
            purpose=record.purpose,
            channel=record.channel,
        )
        derived[key] = (status, record)
    with transaction.atomic():
        for (user_id, purpose, channel), (status, record) in derived.items():
            ConsentState.objects.update_or_create(
                user_id=user_id,
                purpose=purpose,
                channel=channel,
                defaults={
                    "status": status,
                    "last_record": record,
                    "updated_at": record.created_at,
                },
            )
    return len(derived)


# Suppression ---------------------------------------------------------------


def suppress(
    email: str, *, scope: str, reason: str, source: str = "", esp_event_id: str = ""
) -> Suppression:
    """Add an address to the suppression list (idempotent per address and scope)."""
    suppression, _created = Suppression.objects.get_or_create(
        email_hash=email_hash(email),
        scope=scope,
        defaults={"reason": reason, "source": source, "esp_event_id": esp_event_id},
    )
    return suppression


def suppressed_hashes(hashes: Iterable[str], *, marketing: bool) -> set[str]:
    """Which of ``hashes`` must not get this kind of mail (``all`` applies to marketing too).

    For all mail, an answer this request's club context already read (``known``)
    is used instead of a query.
    """
    hashes = list(hashes)
    blocked: set[str] = set()
    if not marketing:
        unknown = []
        for value in hashes:
            answer = known.recall(value)
            if answer is None:
                unknown.append(value)
            elif answer:
                blocked.add(value)
        hashes = unknown
        if not hashes:
            return blocked
    scopes = [Suppression.ALL, Suppression.MARKETING] if marketing else [Suppression.ALL]
    return blocked | set(
        Suppression.objects.filter(any_of("email_hash", hashes), scope__in=scopes).values_list(
            "email_hash", flat=True
        )
    )


def is_suppressed(email: str, *, marketing: bool) -> bool:
    return bool(suppressed_hashes([email_hash(email)], marketing=marketing))
