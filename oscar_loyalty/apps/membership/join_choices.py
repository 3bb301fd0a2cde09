"""A guest's choices on the join form, kept in the session through login or registration.

A guest who presses Join is sent to log in or register first; without this
the ticked consent boxes and the chosen plan were lost on the way. The
choices are kept, never acted on: back on the club page the join form shows
them ticked and the shopper presses Join once more, so the consent evidence
is recorded from that press, with the wording shown then (Israel's §30A,
GDPR: consent is an act of the shopper, not of a redirect).
"""

from __future__ import annotations

SESSION_KEY = "loyalty_join_choices"


def remember(request, *, plan_id: int | None, consent_channels: list[str]) -> None:
    """Keep what the guest chose; the session survives ``login()`` (Django keeps its data)."""
    request.session[SESSION_KEY] = {
        "plan": plan_id,
        "consent_channels": list(consent_channels),
    }


def recall(request) -> dict | None:
    """The kept choices, or ``None``."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    choices = session.get(SESSION_KEY)
    return choices if isinstance(choices, dict) else None


def initial_for_form(choices: dict | None) -> dict:
    """The join form's ``initial`` from kept choices: the plan and one ticked box per channel."""
    if not choices:
        return {}
    initial: dict = {f"consent_{channel}": True for channel in choices.get("consent_channels", [])}
    if choices.get("plan"):
        initial["plan"] = choices["plan"]
    return initial


def forget(request) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(SESSION_KEY, None)
