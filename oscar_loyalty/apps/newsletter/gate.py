"""The send-time consent gate: who of a chunk may still receive it (split from ``sending``).

Called twice per chunk: when it is claimed, and again right before the ESP
call, after ``sending`` was committed (docs/newsletter.md, "Guarantees").
"""

from __future__ import annotations

from anymail.message import AnymailMessage

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.hashing import email_hasher, normalise_email
from oscar_loyalty.apps.consent.models import ConsentState
from oscar_loyalty.lookups import any_of

from .models import OutboxMessage


def sendable(rows: list[OutboxMessage]) -> tuple[list[OutboxMessage], list[OutboxMessage]]:
    """Split claimed rows by a fresh look at consent and suppressions (send-time gate)."""
    user_ids = [row.user_id for row in rows if row.user_id]
    # {user id: hash of the address the consent is bound to ("" for records
    # older than the binding)}: as ``consent.has_consent``, a consent follows
    # its address, not the account, even if an address was written without save().
    granted = dict(
        ConsentState.objects.filter(
            any_of("user_id", user_ids),
            purpose="marketing",
            channel="email",
            status=ConsentState.GRANTED,
        ).values_list("user_id", "email_hash")
    )
    email_hash = email_hasher()
    current_hashes = {
        row.pk: email_hash(row.user.email) for row in rows if row.user and row.user.email
    }
    suppressed = consent.suppressed_hashes(current_hashes.values(), marketing=True)
    ok, skip = [], []
    for row in rows:
        hashed = current_hashes.get(row.pk)
        bound = granted.get(row.user_id)
        if bound is not None and hashed and bound in ("", hashed) and hashed not in suppressed:
            ok.append(row)
        else:
            skip.append(row)
    return ok, skip


def drop_recipients(message: AnymailMessage, rows: list[OutboxMessage]) -> None:
    """Take ``rows`` out of a built batch: its recipients and their per-recipient data."""
    gone = {normalise_email(row.user.email) for row in rows}
    message.to = [address for address in message.to if address not in gone]
    for data in (message.merge_data, message.merge_headers, message.merge_metadata):
        for address in gone:
            data.pop(address, None)


def sendable_on(channel: str, rows: list[OutboxMessage]):
    """``sendable`` for SMS and WhatsApp rows: consent on the channel, for the member's number.

    A row may go out only if the member still has the number it was fanned
    out for (the row's hash), consent on ``channel`` is granted for that number
    (a state bound to another number, or to none since the number changed,
    is no consent) and the number is not suppressed on that channel.
    """
    from oscar_loyalty import phones

    user_ids = [row.user_id for row in rows if row.user_id]
    granted = dict(
        ConsentState.objects.filter(
            any_of("user_id", user_ids),
            purpose="marketing",
            channel=channel,
            status=ConsentState.GRANTED,
        ).values_list("user_id", "email_hash")
    )
    number_hash = phones.number_hasher(channel)
    numbers = phones.stored_numbers(user_ids)
    current = {row.pk: number_hash(numbers[row.user_id]) for row in rows if row.user_id in numbers}
    suppressed = consent.suppressed_hashes(current.values(), marketing=True)
    ok, skip = [], []
    for row in rows:
        hashed = current.get(row.pk)
        bound = granted.get(row.user_id)
        if (
            hashed
            and hashed == row.email_hash
            and bound is not None
            and bound in ("", hashed)
            and hashed not in suppressed
        ):
            ok.append(row)
        else:
            skip.append(row)
    return ok, skip
