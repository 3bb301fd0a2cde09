"""Adapts Anymail's tracking webhooks to consent and suppression services."""

from __future__ import annotations

import re

from oscar_loyalty.receiving import may_raise, never_raises

from . import bounces, events, optin, services


@may_raise(
    "a webhook that fails must answer 500 so the provider retries it; its dedupe row "
    "rolls back with the rest, so the retry is processed normally"
)
def on_tracking_event(sender, event, esp_name, **kwargs) -> None:
    """Connected to ``anymail.signals.tracking`` in ``ConsentConfig.ready``.

    Runs in the webhook request: if it raises, Anymail answers 500 and the
    provider retries; the dedupe row rolled back with the rest, so the retry
    is processed normally.
    """
    esp = str(esp_name).lower()
    events.process_tracking_event(
        esp_name=esp,
        kind=bounces.classify(esp, event),
        event_type=str(event.event_type),
        recipient=event.recipient,
        event_id=event.event_id,
        message_id=event.message_id,
        metadata=event.metadata,
        timestamp=event.timestamp,
    )


@never_raises
def on_user_saved(sender, instance, created=False, raw=False, update_fields=None, **kw) -> None:
    """Connected to the user model's ``post_save``: email consent follows no address change.

    Compares the consent states with the address in the database (not with an
    earlier copy of the user), so a save from a stale copy is seen too. Skips
    saves that cannot have changed the address (new users, ``update_fields``
    without the email field, such as the login's ``last_login``).
    """
    if created or raw or instance.pk is None:
        return
    field = instance.get_email_field_name()
    if update_fields is not None and field not in update_fields:
        return
    # A failure is logged (``never_raises``), never fails the caller's save;
    # ``has_consent`` still refuses consent for another address meanwhile.
    optin.rebind_address(instance)


_BARE_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"@]+@[^\s<>()\[\],;:\"@]+")


def drop_suppressed_recipients(sender, message, esp_name, **kwargs) -> None:
    """Connected to ``anymail.signals.pre_send``: the last guard for every message.

    Removes addresses suppressed for all mail (hard bounces) from ``to``, ``cc``,
    ``bcc`` and the per-recipient batch data, whatever sent the message (our
    pipeline, the outbox, Oscar's own emails). Cancels the send when nobody is left.
    """
    from anymail.exceptions import AnymailCancelSend
    from anymail.utils import parse_address_list

    from .hashing import email_hasher

    fields = [getattr(message, name, None) or [] for name in ("to", "cc", "bcc")]
    # A bare address is its own addr-spec; only "Name <address>" forms need
    # Anymail's parser (≈ 0.2 ms each, most of this guard's time on a batch).
    addresses = {
        a: a if _BARE_ADDRESS.fullmatch(a) else parse_address_list([a])[0].addr_spec
        for f in fields
        for a in f
    }
    if not addresses:
        return
    email_hash = email_hasher()
    hashes = {a: email_hash(spec) for a, spec in addresses.items()}
    blocked = services.suppressed_hashes(hashes.values(), marketing=False)
    if not blocked:
        return
    dropped = {a for a, h in hashes.items() if h in blocked}
    for name in ("to", "cc", "bcc"):
        setattr(message, name, [a for a in getattr(message, name, None) or [] if a not in dropped])
    specs = {addresses[a] for a in dropped}
    for name in ("merge_data", "merge_headers", "merge_metadata"):
        data = getattr(message, name, None)
        if isinstance(data, dict):
            for key in [k for k in data if k in specs or k in dropped]:
                del data[key]
    if not (message.to or message.cc or message.bcc):
        raise AnymailCancelSend("every recipient is suppressed")
