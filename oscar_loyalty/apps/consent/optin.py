"""Double opt-in, bound to one address.

* The confirmation link carries the keyed hash of the address it was mailed
  to; it confirms only while that is still the account's address and the
  consent is still waiting for it (``confirm_consent``).
* When the account's address changes, email consent for the old address does
  not move to the new one: a grant record naming the new address (with the
  old one's hash as evidence) makes the state ``pending`` and a new link goes
  to the new address (``rebind_address``).

Split from ``services`` by size; every state change still goes through
``services.record_consent``.
"""

from __future__ import annotations

import enum
import re

from django.db import transaction
from django.http import HttpRequest

from . import services
from .hashing import email_hash
from .models import ConsentRecord, ConsentState
from .tokens import InvalidToken, make_confirm_token, read_confirm_token


class ConfirmOutcome(enum.StrEnum):
    """What following a confirmation link did; the page says exactly this."""

    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    #: The member withdrew after the link was sent: the link no longer grants.
    WITHDRAWN = "withdrawn"
    #: The link was mailed to an address the account no longer has.
    ADDRESS_CHANGED = "address_changed"
    #: Nothing waits for confirmation (no grant was ever recorded).
    NOTHING_PENDING = "nothing_pending"


def send_confirmation(record: ConsentRecord) -> bool:
    """Email the double opt-in link for a pending grant (transactional mail).

    Sent only to the address the record names: if the address changed before
    this runs, the change's own record sends the link to the new address.
    """
    from django.urls import reverse

    from oscar_loyalty.mail import absolute_url, send_email

    user = type(record.user).objects.filter(pk=record.user_id).first()
    if user is None or not user.email or email_hash(user.email) != record.email_hash:
        return False
    token = make_confirm_token(
        record.user_id,
        record_id=record.pk,
        purpose=record.purpose,
        channel=record.channel,
        email_hash=record.email_hash,
    )
    url = absolute_url(reverse("loyalty:consent-confirm", args=[token]))
    return send_email(
        user,
        email_type="consent_confirmation",
        context={"confirm_url": url, "wording": record.wording_text},
    )


_RECORD = re.compile(r"record:(\d+)")


def _sent_to(data) -> str:
    """The hash of the address the link was mailed to.

    Links made before they carried it name their pending record, which names
    the address it was about.
    """
    if data.email_hash:
        return data.email_hash
    match = _RECORD.fullmatch(data.message)
    record = ConsentRecord.objects.filter(pk=int(match.group(1))).first() if match else None
    return record.email_hash if record is not None else ""


def confirm_consent(token: str, *, request: HttpRequest | None = None) -> ConfirmOutcome:
    """Follow a double opt-in link. Raises ``InvalidToken`` (tampered, expired, erased account).

    Inside one transaction, under the user's and then the state's row lock:
    the address is read fresh, so a change committed a moment earlier wins
    over the link, and a repeated or concurrent click confirms once.
    """
    data = read_confirm_token(token)
    with transaction.atomic():
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=data.user_id).first()
        user = services.lock_user(user) if user is not None else None
        if services.is_erased_user(user):
            raise InvalidToken("no such user")
        sent_to = _sent_to(data)
        if not user.email or not sent_to or email_hash(user.email) != sent_to:
            return ConfirmOutcome.ADDRESS_CHANGED
        state = services._locked_state(user, data.purpose, data.channel)
        if state is None:
            return ConfirmOutcome.NOTHING_PENDING
        if state.status == ConsentState.WITHDRAWN:
            return ConfirmOutcome.WITHDRAWN
        if state.email_hash and state.email_hash != sent_to:
            return ConfirmOutcome.ADDRESS_CHANGED
        if state.status == ConsentState.GRANTED:
            return ConfirmOutcome.ALREADY_CONFIRMED
        services.record_consent(
            user,
            purpose=data.purpose,
            channel=data.channel,
            action=ConsentRecord.GRANT,
            source=ConsentRecord.SOURCE_DOI,
            request=request,
            evidence={"confirms": data.message, "sent_to": sent_to},
        )
        return ConfirmOutcome.CONFIRMED


def rebind_address(user) -> list[ConsentRecord]:
    """After the account's address changed: email consent for the old one asks the new one.

    Every email state that is granted or pending for another address gets a
    grant record naming the new address, with the previous address's hash and
    status as evidence; ``record_consent`` makes it ``pending`` (with double
    opt-in) and mails the new address its link. Idempotent: a state already
    about the current address is left alone. Runs under the user's row lock,
    reading the address fresh, so a stale copy of the user cannot rebind to
    an address the account no longer has.
    """
    records = []
    active = ConsentState.objects.filter(
        user_id=user.pk,
        channel="email",
        status__in=[ConsentState.GRANTED, ConsentState.PENDING],
    )
    if user.email and not active.exclude(email_hash__in=["", email_hash(user.email)]).exists():
        return records  # the common save: nothing bound to another address (one query)
    with transaction.atomic():
        current = services.lock_user(user)
        if services.is_erased_user(current) or not current.email:
            return records
        address = email_hash(current.email)
        for state in active.select_for_update().exclude(email_hash__in=["", address]):
            records.append(
                services.record_consent(
                    current,
                    purpose=state.purpose,
                    channel=state.channel,
                    action=ConsentRecord.GRANT,
                    source=ConsentRecord.SOURCE_ADDRESS_CHANGE,
                    evidence={
                        "previous_email_hash": state.email_hash,
                        "previous_status": state.status,
                    },
                )
            )
    return records
