"""Adapts Anymail's tracking webhooks to consent and suppression services."""

from __future__ import annotations

import re

from . import events, services

#: Provider bounce types that are temporary: Anymail reports some as "bounced".
SOFT_BOUNCE_TYPES = {"SoftBounce", "Transient", "DnsError", "AutoResponder"}


def _is_soft_bounce(event) -> bool:
    esp_event = event.esp_event
    return isinstance(esp_event, dict) and esp_event.get("Type") in SOFT_BOUNCE_TYPES


def on_tracking_event(sender, event, esp_name, **kwargs) -> None:
    """Connected to ``anymail.signals.tracking`` in ``ConsentConfig.ready``.

    Runs in the webhook request: if it raises, Anymail answers 500 and the
    provider retries; the dedupe row rolled back with the rest, so the retry
    is processed normally.
    """
    if str(event.event_type) == "bounced" and _is_soft_bounce(event):
        return
    events.process_tracking_event(
        esp_name=str(esp_name).lower(),
        event_type=str(event.event_type),
        recipient=event.recipient,
        event_id=event.event_id,
        message_id=event.message_id,
        reject_reason=event.reject_reason,
        metadata=event.metadata,
        timestamp=event.timestamp,
    )


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
