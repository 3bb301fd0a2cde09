"""A mail backend for the demo store: Anymail's test backend, printed to the console.

It goes through Anymail's real payload code (tags, metadata, merge data), so
what the sandbox prints is what a real ESP would be asked to send.
"""

import sys

from anymail.backends.test import EmailBackend as AnymailTestBackend
from django.core import mail

KEEP = 200  # keep the in-memory outbox from growing without bound in a long run


class ConsoleTestBackend(AnymailTestBackend):
    def post_to_esp(self, payload, message):
        response = super().post_to_esp(payload, message)
        del mail.outbox[:-KEEP]
        out = sys.stdout
        merge_data = getattr(message, "merge_data", None) or {}
        for to in message.to if merge_data else [", ".join(message.to)]:
            # A batch: show each recipient's copy as the ESP would fill it in
            # ("{{field}}" is the merge syntax the add-on uses for this backend).
            body = message.body
            for field, value in merge_data.get(to, {}).items():
                body = body.replace("{{%s}}" % field, str(value))
            out.write(f"\n--- email to {to}: {message.subject}\n")
            out.write(body)
            out.write("\n--- end of email\n")
        out.flush()
        return response

    def get_esp_message_id(self, message):
        return f"sandbox-{id(message)}"
