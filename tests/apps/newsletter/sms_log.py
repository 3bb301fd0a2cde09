"""A test SMS/WhatsApp provider that survives its process: every accepted batch goes to a file.

The SMS twin of ``esp_log.py``, for the SIGKILL tests and the SMS benchmark,
where the sending worker is another process. Each accepted call appends one
JSON line ``{"channel", "to", "refs", "body"}`` to ``LOYALTY_SMS_LOG`` and is fsynced
before the backend answers, so the file holds everything the "provider"
accepted, whenever the worker dies. Nothing is kept in memory (a 100k send
would otherwise measure the test list).

``LOYALTY_SMS_KILL_AFTER=n``: the process SIGKILLs itself right after the
provider accepted its n-th batch, the worst instant: the provider has it and
the outbox does not know yet.

Configured per channel, the backend's options naming the channel it logs::

    OSCAR_LOYALTY_SMS_BACKEND = {
        "BACKEND": "tests.apps.newsletter.sms_log.FileLogBackend",
        "OPTIONS": {"channel": "sms", "batch_size": 2},
    }
"""

from __future__ import annotations

import json
import os
import signal
import uuid

from oscar_loyalty.apps.newsletter.channels.base import (
    BaseBackend,
    ChannelMessage,
    RecipientStatus,
)


class FileLogBackend(BaseBackend):
    name = "filelog"
    channels = ("sms", "whatsapp")
    batch_size = 500
    channel = "sms"
    accepted = 0  # batches this process handed over (for LOYALTY_SMS_KILL_AFTER)

    def build_payloads(self, messages: list[ChannelMessage]):
        return [(messages, messages)]  # one call per batch, like 019 or InforU

    def post(self, payload: list[ChannelMessage]):
        line = {
            "channel": self.channel,
            "to": [m.to for m in payload],
            "refs": [m.ref for m in payload],
            "body": payload[0].body if payload else "",  # one sample of the text as sent
        }
        # One write() on an O_APPEND file: lines of workers sharing the log never interleave.
        fd = os.open(os.environ["LOYALTY_SMS_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (json.dumps(line) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        FileLogBackend.accepted += 1
        if FileLogBackend.accepted == int(os.environ.get("LOYALTY_SMS_KILL_AFTER") or 0):
            os.kill(os.getpid(), signal.SIGKILL)
        return payload

    def parse_response(self, response, messages):
        # Unique across processes: several workers log into one outbox.
        return {m.ref: RecipientStatus("sent", message_id=uuid.uuid4().hex) for m in messages}


def read_log(path) -> list[dict]:
    """The accepted batches, oldest first (empty when nothing was accepted)."""
    try:
        text = open(path, encoding="utf-8").read()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line]
