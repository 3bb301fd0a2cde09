"""The SMS and WhatsApp backend layer, shaped like Anymail's.

A backend turns a list of ``ChannelMessage`` into one or more provider
requests and each answer into a ``RecipientStatus`` per message (Anymail's
``anymail_status.recipients``). Subclasses override three small template
methods:

* ``build_payloads(messages)`` → ``[(payload, messages_it_carries), …]``: one
  request per message for most providers, one for the whole batch where the
  API takes many recipients (019, InforU);
* ``post(payload)`` → the provider's raw answer (a ``requests`` response, or
  the SDK's object); raises ``ChannelAPIError``;
* ``parse_response(response, messages)`` → ``{ref: RecipientStatus}``.

Errors follow the outbox's reading of Anymail (``outcomes``): a
``ChannelAPIError`` with a ``status_code`` means the provider refused the
request (nothing sent); without one (timeout, connection reset) the provider
may have it, and the outbox treats it like a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

#: Per-recipient outcomes, Anymail's words: ``queued``/``sent`` were accepted,
#: ``rejected``/``invalid``/``failed`` refused for this recipient only.
ACCEPTED = ("queued", "sent")
REFUSED = ("rejected", "invalid", "failed")


class ChannelAPIError(Exception):
    """The provider's call failed. ``status_code`` is set when the provider answered."""

    def __init__(self, message: str = "", *, status_code: int | None = None, body: str = ""):
        super().__init__(message)
        self.status_code = status_code
        self.body = body[:2000]

    def __str__(self) -> str:
        text = super().__str__()
        if self.status_code is not None:
            text = f"{text} (HTTP {self.status_code})"
        return f"{text}: {self.body}" if self.body else text


def is_transient(exc: ChannelAPIError) -> bool:
    """A refusal worth retrying: throttled (429) or the provider's own trouble (5xx)."""
    status = exc.status_code
    return status is not None and (status == 429 or status >= 500)


@dataclass
class ChannelMessage:
    """One message to one number. ``ref`` comes back with its status (the outbox row's id)."""

    ref: str
    to: str  # E.164
    body: str
    #: WhatsApp: the approved template and the values of its body placeholders.
    template: str = ""
    language: str = ""
    parameters: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class RecipientStatus:
    status: str  # one of ACCEPTED or REFUSED, or "unknown"
    message_id: str = ""
    error: str = ""


class BaseBackend:
    """Send ``ChannelMessage`` lists; see the module's docstring for the template methods."""

    #: Lower-case provider name (settings, webhooks, logs).
    name = "base"
    #: Channels the provider carries.
    channels: tuple[str, ...] = ("sms",)
    #: Messages per ``send_messages`` call the outbox should hand over.
    batch_size = 100
    timeout = 30

    def __init__(self, **options: Any):
        self.options = options
        for key, value in options.items():
            setattr(self, key, value)

    # The public call ------------------------------------------------------

    def send_messages(self, messages: list[ChannelMessage]) -> dict[str, RecipientStatus]:
        """Send and return each message's status by ``ref``.

        A ``ChannelAPIError`` of a later request in a batch (one request per
        message) is raised only when no earlier request was accepted; else the
        messages not yet sent are reported ``failed``/``unknown`` and the rest keep
        their status, so nothing accepted is ever sent again. A throttle or a
        5xx stops the batch there: the rest stay ``unknown`` and go out after the lease.
        """
        statuses: dict[str, RecipientStatus] = {}
        for payload, carried in self.build_payloads(messages):
            try:
                response = self.post(payload)
            except ChannelAPIError as exc:
                if not statuses:
                    raise
                for message in carried:
                    statuses[message.ref] = self.error_status(exc)
                if is_transient(exc):
                    # Throttled or the provider is down: stop here. The rest
                    # stay "unknown", so they are sent after the lease, not failed.
                    break
                continue
            statuses.update(self.parse_response(response, carried))
        for message in messages:
            statuses.setdefault(message.ref, RecipientStatus("unknown"))
        return statuses

    def error_status(self, exc: ChannelAPIError) -> RecipientStatus:
        # Refused (an answer): failed. No answer: the provider may have it.
        # Throttled or down (429, 5xx): not sent, so sent again after the lease.
        if exc.status_code is None or is_transient(exc):
            return RecipientStatus("unknown", error=str(exc))
        return RecipientStatus("failed", error=str(exc))

    # Template methods -----------------------------------------------------

    def build_payloads(self, messages: list[ChannelMessage]):
        return [(self.build_payload(message), [message]) for message in messages]

    def build_payload(self, message: ChannelMessage) -> Any:
        raise NotImplementedError

    def post(self, payload: Any) -> Any:
        raise NotImplementedError

    def parse_response(self, response: Any, messages: list[ChannelMessage]):
        raise NotImplementedError

    # HTTP helper for the plain-HTTP providers --------------------------------

    def http(self, method: str, url: str, **kwargs) -> requests.Response:
        """One request; a provider's error status raises ``ChannelAPIError`` with the status."""
        try:
            response = requests.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise ChannelAPIError(f"{self.name}: {exc.__class__.__name__}") from exc
        if response.status_code >= 400:
            raise ChannelAPIError(
                f"{self.name} refused the request",
                status_code=response.status_code,
                body=response.text,
            )
        return response
