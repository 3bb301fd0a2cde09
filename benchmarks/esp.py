"""The benchmarks' "ESP": Anymail's test backend, logging each accepted batch to a file.

Anymail's test backend keeps every message in ``mail.outbox`` (for tests);
a real ESP backend keeps nothing, so this one drops the message again after
logging its recipients, or a 100k send would measure the test list's memory.
"""

import json
import os

from anymail.backends.test import EmailBackend
from django.core import mail


class LoggingTestBackend(EmailBackend):
    def post_to_esp(self, payload, message):
        response = super().post_to_esp(payload, message)
        with open(os.environ["BENCH_ESP_LOG"], "a") as log:
            log.write(json.dumps({"to": list(message.to)}) + "\n")
            log.flush()
        return response

    def send_messages(self, email_messages):
        try:
            return super().send_messages(email_messages)
        finally:
            mail.outbox = []
