"""A test ESP that survives its process: every accepted batch is appended to a file.

Used by the SIGKILL test, where the sending worker is another process.
"""

import json
import os

from anymail.backends.test import EmailBackend


class FileLogBackend(EmailBackend):
    def post_to_esp(self, payload, message):
        response = super().post_to_esp(payload, message)
        with open(os.environ["LOYALTY_ESP_LOG"], "a") as log:
            log.write(json.dumps({"to": list(message.to), "meta": message.merge_metadata}) + "\n")
            log.flush()
            os.fsync(log.fileno())
        return response
