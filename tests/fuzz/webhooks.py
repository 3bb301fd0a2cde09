"""ESP-shaped tracking events with fuzzed values, so that a webhook body gets past the
ESP's own parser and reaches the club's receivers (consent, suppressions, outbox).

A random body is refused by Anymail's parser (or ignored) before any of our
code runs; these follow the providers' documented shapes (as the real
payloads in tests/apps/consent/test_webhooks.py do) with any *text* inside
where the provider sends text. Only the secret's holder can post here, and
Anymail's own parsers answer 500 to a body of the wrong shape or types
(``json.loads`` of a non-JSON body, ``.startswith`` on a number): that is
Anymail's, not reachable without the secret, and not fuzzed.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from hypothesis import strategies as st

from tests.fuzz import strategies as fs

MAILGUN_EVENTS = ["delivered", "failed", "opened", "clicked", "unsubscribed", "complained"]
POSTMARK_TYPES = ["Bounce", "SpamComplaint", "Delivery", "Open", "Click", "SubscriptionChange"]
SENDGRID_EVENTS = ["delivered", "bounce", "dropped", "open", "click", "spamreport", "unsubscribe"]


def _value(seeds):
    return fs.texts(*seeds)


def _metadata(seeds):
    keys = st.sampled_from(["outbox", "message", "campaign", "user"])
    return st.dictionaries(keys, _value([*seeds, "1", "²", "campaign:1/outbox:1"]), max_size=3)


@st.composite
def mailgun(draw, seeds):
    key = settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY", "")
    timestamp, token = "1529006854", "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    data = {
        "event": draw(st.one_of(st.sampled_from(MAILGUN_EVENTS), fs.texts())),
        "id": draw(fs.texts()),
        "timestamp": 1521233195.375624,
        "recipient": draw(_value(seeds)),
        "severity": draw(st.sampled_from(["permanent", "temporary"])),
        "reason": draw(fs.texts()),
        "message": {"headers": {"message-id": draw(_value(seeds))}},
        "user-variables": draw(_metadata(seeds)),
        "tags": draw(st.lists(fs.texts(), max_size=2)),
        "delivery-status": {"message": draw(fs.texts()), "code": draw(_value(seeds))},
    }
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature.hexdigest()},
        "event-data": data,
    }


@st.composite
def postmark(draw, seeds):
    return {
        "RecordType": draw(st.one_of(st.sampled_from(POSTMARK_TYPES), fs.texts())),
        "Type": draw(st.sampled_from(["HardBounce", "SoftBounce", "SpamComplaint", "x"])),
        "TypeCode": draw(st.integers(-(2**40), 2**40)),
        "ID": draw(st.integers(-(2**70), 2**70)),
        "MessageID": draw(_value(seeds)),
        "Metadata": draw(_metadata(seeds)),
        "Email": draw(_value(seeds)),
        "Recipient": draw(_value(seeds)),
        "Tag": draw(fs.texts()),
        "Description": draw(fs.texts()),
        "BouncedAt": draw(st.sampled_from(["2026-11-05T16:33:54.9070259Z", "x", ""])),
        "SuppressSending": draw(st.booleans()),
    }


@st.composite
def sendgrid(draw, seeds):
    def event():
        return st.fixed_dictionaries(
            {
                "event": st.one_of(st.sampled_from(SENDGRID_EVENTS), fs.texts()),
                "email": _value(seeds),
                "timestamp": st.integers(0, 2**40),
                "sg_message_id": _value(seeds),
                "sg_event_id": fs.texts(),
                "reason": fs.texts(),
                "outbox": _value([*seeds, "1", "²"]),
                "message": _value(seeds),
            }
        )

    return draw(st.lists(event(), min_size=1, max_size=3))


SHAPES = {
    "anymail:mailgun_tracking_webhook": mailgun,
    "anymail:postmark_tracking_webhook": postmark,
    "anymail:sendgrid_tracking_webhook": sendgrid,
}
