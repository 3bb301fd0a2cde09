"""ESP webhook events about our outbox messages (consent effects live in the consent app)."""

from __future__ import annotations

from . import tracking


def on_tracking_event(sender, event, esp_name, **kwargs) -> None:
    tracking.apply_tracking_event(
        event_type=str(event.event_type), metadata=event.metadata, message_id=event.message_id
    )
