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
from oscar_loyalty.clientip import client_ip
from oscar_loyalty.exceptions import ConsentSubjectGone
from oscar_loyalty.lookups import any_of

from . import known
from .hashing import email_hash
from .models import ConsentRecord, ConsentState, Suppression
from .tokens import make_confirm_token, read_confirm_token  # noqa: F401  (re-exported)
from .wording import MARKETING, Wording, get_wording


def request_metadata(request: HttpRequest | None) -> dict[str, str | None]:
    """The IP address and user agent a consent record keeps as evidence.

    The address is ``client_ip`` (``REMOTE_ADDR`` unless the store set
    ``OSCAR_LOYALTY_CLIENT_IP`` for its proxy: ``X-Forwarded-For`` can be forged
    by the client). Both come from the client, so they are cleaned before they
    are stored: an address that is not an IP address is dropped (PostgreSQL's
    ``inet`` would refuse it), control characters (a NUL byte PostgreSQL
    refuses) and lone surrogates are removed, and the user agent is cut to 512
    characters.
    """
    if request is None:
        return {"ip_address": None, "user_agent": ""}
    ip = client_ip(request) or None
    agent = str(request.META.get("HTTP_USER_AGENT", ""))
    agent = agent.encode("utf-8", "replace").decode("utf-8")
    agent = "".join(char for char in agent if char.isprintable())[:512]
    return {"ip_address": ip, "user_agent": agent}


def needs_double_opt_in(purpose: str, channel: str) -> bool:
    return app_settings.DOUBLE_OPT_IN and purpose == MARKETING and channel == "email"


def _next_status(
    previous: str | None,
    *,
    action: str,
    source: str,
    purpose: str,
    channel: str,
    same_address: bool = True,
) -> str:
    if action == ConsentRecord.WITHDRAW:
        return ConsentState.WITHDRAWN
    if source in ConsentRecord.CONFIRMED_SOURCES:
        return ConsentState.GRANTED
    # A grant keeps "granted" only for the address that was confirmed: a grant
    # naming another address (an address change) needs its own opt-in.
    if previous == ConsentState.GRANTED and same_address:
        return ConsentState.GRANTED
    if needs_double_opt_in(purpose, channel):
        return ConsentState.PENDING
    return ConsentState.GRANTED


#: Channels whose consent is bound to one address: the email address, or the mobile number.
BOUND_CHANNELS = ("email", "sms", "whatsapp")


def is_same_address(state_hash: str, record_hash: str, *, channel: str) -> bool:
    """Whether a record is about the address (or number) a state is bound to.

    A state from before addresses were bound (blank hash) counts as the same.
    """
    return channel not in BOUND_CHANNELS or not state_hash or state_hash == record_hash


def address_hash(user, channel: str) -> str:
    """The hash of what consent on ``channel`` is about: the address, or the member's number.

    SMS and WhatsApp consent names the number hashed for that channel
    (``oscar_loyalty.phones``), the hash the outbox and suppressions use.
    """
    if channel in ("sms", "whatsapp"):
        from oscar_loyalty import phones

        member = getattr(user, "loyalty_member", None)
        phone = getattr(member, "phone", None)
        return phones.number_hash(phones.to_e164(phone), channel) if phone else ""
    return email_hash(user.email) if user.email else ""


def _locked_state(user, purpose: str, channel: str) -> ConsentState | None:
    return (
        ConsentState.objects.select_for_update()
        .filter(user=user, purpose=purpose, channel=channel)
        .first()
    )


def lock_user(user):
    """The user's row, locked, read fresh: the current address, whatever copy the caller holds.

    Locked before any consent state (the erasure and an address change lock
    the user row first too), so the two orders never deadlock.
    """
    return get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def is_erased_user(user) -> bool:
    from oscar_loyalty.apps.privacy.oscar_data import is_erased

    return user is None or is_erased(user)


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
    transaction commits. The record names the address the user has *now*
    (read under the row lock, not from the caller's copy). Raises
    ``ConsentSubjectGone`` for an erased account.
    """
    if action not in (ConsentRecord.GRANT, ConsentRecord.WITHDRAW):
        raise ValueError(f"Unknown consent action {action!r}")
    wording = wording or get_wording(purpose, channel)
    now = now or timezone.now()
    with transaction.atomic():
        current = lock_user(user)
        if is_erased_user(current):
            raise ConsentSubjectGone()
        address = address_hash(current, channel)
        state = _locked_state(current, purpose, channel)
        record = ConsentRecord.objects.create(
            user=current,
            purpose=purpose,
            channel=channel,
            action=action,
            wording_version=wording.version,
            wording_text=wording.text,
            source=source,
            email_hash=address,
            evidence=evidence or {},
            created_at=now,
            **request_metadata(request),
        )
        if state is None:
            try:
                with transaction.atomic():
                    state = ConsentState.objects.create(
                        user=current, purpose=purpose, channel=channel,
                        status=ConsentState.WITHDRAWN, last_record=record, updated_at=now,
                    )  # fmt: skip
                previous, previous_address = None, ""
            except IntegrityError:
                # A concurrent first record for the pair won the insert: lock it and go on.
                state = _locked_state(current, purpose, channel)
                previous, previous_address = state.status, state.email_hash
        else:
            previous, previous_address = state.status, state.email_hash
        status = _next_status(
            previous, action=action, source=source, purpose=purpose, channel=channel,
            same_address=is_same_address(previous_address, address, channel=channel),
        )  # fmt: skip
        state.status = status
        state.last_record = record
        state.email_hash = address
        state.updated_at = now
        if status == ConsentState.GRANTED and previous != ConsentState.GRANTED:
            state.granted_at = now
        if status == ConsentState.WITHDRAWN and previous != ConsentState.WITHDRAWN:
            state.withdrawn_at = now
        state.save()
        if status == ConsentState.GRANTED and source == ConsentRecord.SOURCE_DOI and address:
            # A confirmed new grant lifts an earlier marketing-only suppression
            # (complaint, unsubscribe); bounces ("all") stay.
            Suppression.objects.filter(email_hash=address, scope=Suppression.MARKETING).delete()
        signals.send_on_commit(signals.consent_changed, sender=ConsentRecord, record=record)
    if status == ConsentState.PENDING and (
        previous != ConsentState.PENDING or previous_address != address
    ):
        from .optin import send_confirmation

        transaction.on_commit(lambda: send_confirmation(record))
    return record


def withdraw_consent(
    user,
    *,
    purpose: str = MARKETING,
    channel: str = "email",
    source: str,
    request: HttpRequest | None = None,
    evidence: dict | None = None,
) -> ConsentRecord | None:
    """Withdraw, idempotently: ``None`` when already withdrawn or the account is erased.

    An erased account has nothing left to withdraw (its states are gone and its
    address is suppressed): a late unsubscribe click must not store the
    clicker's IP address and user agent on it.
    """
    with transaction.atomic():
        current = lock_user(user)
        if is_erased_user(current):
            return None
        state = _locked_state(current, purpose, channel)
        if state is not None and state.status == ConsentState.WITHDRAWN:
            return None
        return record_consent(
            current,
            purpose=purpose,
            channel=channel,
            action=ConsentRecord.WITHDRAW,
            source=source,
            request=request,
            evidence=evidence,
        )


def grant_consent(
    user,
    *,
    purpose: str = MARKETING,
    channel: str = "email",
    source: str,
    request: HttpRequest | None = None,
    wording: Wording | None = None,
) -> ConsentRecord | None:
    """Grant, idempotently: ``None`` when already granted or waiting for its confirmation.

    The preference centre records only a box whose value changed; this is that
    rule read under the row lock, so a replayed or concurrent grant (the member
    API) records once and sends one confirmation email.
    """
    with transaction.atomic():
        current = lock_user(user)
        if is_erased_user(current):
            raise ConsentSubjectGone()
        state = _locked_state(current, purpose, channel)
        if state is not None and state.status in (ConsentState.GRANTED, ConsentState.PENDING):
            return None
        return record_consent(
            current,
            purpose=purpose,
            channel=channel,
            action=ConsentRecord.GRANT,
            source=source,
            request=request,
            wording=wording,
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
    """Granted now; for email, granted *for the address the user has* (``user.email``).

    The address check is a guard behind ``optin.rebind_address``: an address
    written without ``save()`` (``QuerySet.update``, raw SQL) sends no signal,
    and its consent must not follow it.
    """
    bound = (
        ConsentState.objects.filter(
            user=user, purpose=purpose, channel=channel, status=ConsentState.GRANTED
        )
        .values_list("email_hash", flat=True)
        .first()
    )
    if bound is None:
        return False
    if channel == "email" and bound:
        return bool(user.email) and bound == email_hash(user.email)
    if channel in ("sms", "whatsapp") and bound:
        return bound == address_hash(user, channel)
    return True


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
        previous, last = derived.get(key, (None, None))
        status = _next_status(
            previous,
            action=record.action,
            source=record.source,
            purpose=record.purpose,
            channel=record.channel,
            same_address=is_same_address(
                last.email_hash if last else "", record.email_hash, channel=record.channel
            ),
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
                    "email_hash": record.email_hash,
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
