"""The outbox's one receiver: ``signals.recording``, inside the transaction of each club fact."""

from __future__ import annotations

from oscar_loyalty import signals
from oscar_loyalty.receiving import may_raise

from . import services


@may_raise("the event is recorded in the fact's transaction: failing must roll the fact back")
def on_recording(sender, fact, signal=None, **arguments) -> None:
    # ``signal`` is ``recording`` itself (Django passes it); ``fact`` the one told.
    # No try/except: failing to record must roll the fact back, or the
    # event would be lost (docs/webhooks.md, "Guarantees").
    services.record_event(fact, **arguments)


def connect() -> None:
    signals.recording.connect(on_recording, dispatch_uid="loyalty_webhooks.recording")
