"""SMS and WhatsApp for the demo store: the add-on's test backend, printed to the console.

``channels.test.TestBackend`` builds every message as a provider would get it
(the §30A text, the WhatsApp template and its parameters) and keeps it in
``channels.test.outbox``; this one also prints each message, like
``sandbox.mail.ConsoleTestBackend`` for email, and keeps the outbox short in a
long-running server. Swap in a real provider (docs/sms.md) to send for real.
"""

import sys

from oscar_loyalty.apps.newsletter.channels import test

KEEP = 200  # calls kept in the in-memory outbox


class ConsoleTestBackend(test.TestBackend):
    channel = "sms"  # named in the settings' OPTIONS, for the printout

    def post(self, payload):
        response = super().post(payload)
        del test.outbox[:-KEEP]
        out = sys.stdout
        for message in payload["messages"]:
            what = f"template {message.template} {message.parameters}" if message.template else ""
            out.write(f"\n--- {self.channel} to {message.to}: {what}\n{message.body}\n--- end\n")
        out.flush()
        return response
