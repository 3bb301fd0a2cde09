"""A backend that sends nothing and keeps every call in memory, like ``anymail.backends.test``.

``outbox`` holds one entry per ``send_messages`` call (a batch). A message's
status can be forced with ``TestBackend.responses[number] = RecipientStatus(…)``
and a whole call failed with ``TestBackend.error = ChannelAPIError(…)``.
"""

from __future__ import annotations

import itertools

from .base import BaseBackend, ChannelMessage, RecipientStatus

outbox: list[dict] = []
_ids = itertools.count(1)


class TestBackend(BaseBackend):
    __test__ = False  # not a pytest class

    name = "test"
    channels = ("sms", "whatsapp")
    batch_size = 500
    responses: dict[str, RecipientStatus] = {}
    error: Exception | None = None

    def build_payloads(self, messages: list[ChannelMessage]):
        return [({"messages": messages}, messages)]

    def post(self, payload):
        if TestBackend.error is not None:
            raise TestBackend.error
        outbox.append(payload)
        return payload

    def parse_response(self, response, messages):
        return {
            m.ref: TestBackend.responses.get(m.to)
            or RecipientStatus("sent", message_id=f"test-{next(_ids)}")
            for m in messages
        }


def reset() -> None:
    outbox.clear()
    TestBackend.responses = {}
    TestBackend.error = None
