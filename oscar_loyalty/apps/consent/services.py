"""Every change to consent goes through here."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest

from oscar_loyalty import signals

from .models import ConsentRecord
from .wording import Wording, get_wording


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


def record_consent(
    user,
    *,
    purpose: str,
    channel: str,
    action: str,
    source: str,
    request: HttpRequest | None = None,
    wording: Wording | None = None,
) -> ConsentRecord:
    """Append one grant or withdrawal, with the wording shown and where it came from."""
    if action not in (ConsentRecord.GRANT, ConsentRecord.WITHDRAW):
        raise ValueError(f"Unknown consent action {action!r}")
    wording = wording or get_wording(purpose, channel)
    record = ConsentRecord.objects.create(
        user=user,
        purpose=purpose,
        channel=channel,
        action=action,
        wording_version=wording.version,
        wording_text=wording.text,
        source=source,
        **request_metadata(request),
    )
    transaction.on_commit(
        lambda: signals.consent_changed.send(sender=ConsentRecord, record=record)
    )
    return record


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


def current_consents(user) -> dict[tuple[str, str], bool]:
    """``{(purpose, channel): granted}`` from the newest record of each pair."""
    state: dict[tuple[str, str], bool] = {}
    # Newest first: the first record seen for a pair is its current state.
    for purpose, channel, action in ConsentRecord.objects.filter(user=user).values_list(
        "purpose", "channel", "action"
    ):
        state.setdefault((purpose, channel), action == ConsentRecord.GRANT)
    return state


def has_consent(user, *, purpose: str, channel: str) -> bool:
    latest = (
        ConsentRecord.objects.filter(user=user, purpose=purpose, channel=channel)
        .values_list("action", flat=True)
        .first()
    )
    return latest == ConsentRecord.GRANT
