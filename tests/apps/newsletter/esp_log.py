"""A test ESP that survives its process: every accepted batch is appended to a file.

Used by the SIGKILL tests, where the sending worker is another process. With
``LOYALTY_ESP_KILL_AFTER=n`` the process SIGKILLs itself right after the ESP
accepted its n-th batch: the worst instant, the ESP has it and the outbox
does not know yet.
"""

import json
import os
import signal

from anymail.backends.test import EmailBackend


class FileLogBackend(EmailBackend):
    accepted = 0

    def post_to_esp(self, payload, message):
        response = super().post_to_esp(payload, message)
        with open(os.environ["LOYALTY_ESP_LOG"], "a") as log:
            log.write(json.dumps({"to": list(message.to), "meta": message.merge_metadata}) + "\n")
            log.flush()
            os.fsync(log.fileno())
        FileLogBackend.accepted += 1
        if FileLogBackend.accepted == int(os.environ.get("LOYALTY_ESP_KILL_AFTER") or 0):
            os.kill(os.getpid(), signal.SIGKILL)
        return response
