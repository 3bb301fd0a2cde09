"""The signal a store sends to report one of its own actions (``services.record_action``).

Unlike ``oscar_loyalty.signals`` (sent *by* the add-on), this one is sent *to*
it: the receiver credits the points and never raises, so a store's page never
fails over them (a refusal is logged). Call ``services.record_action`` instead
to see refusals.
"""

from django.dispatch import Signal

#: A member did something a custom action rule rewards.
#: provides args: user, code, object_key (optional), idempotency_key (optional)
action_performed = Signal()
