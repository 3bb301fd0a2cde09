"""Real provider payloads posted to Anymail's real tracking URLs."""

import base64
import hashlib
import hmac
import json

import pytest

from oscar_loyalty.apps.consent import services
from oscar_loyalty.apps.consent.models import (
    ConsentRecord,
    ConsentState,
    Suppression,
    TrackingEvent,
)
from oscar_loyalty.mail import send_member_email

pytestmark = pytest.mark.django_db

AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"hook:s3cret").decode()}


MAILGUN_TOKEN = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"


def mailgun_payload(event_data, *, key="mailgun-signing-key"):
    timestamp, token = "1529006854", MAILGUN_TOKEN
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature.hexdigest()},
        "event-data": event_data,
    }


# From Mailgun's webhook documentation: a permanent failure.
MAILGUN_PERMANENT_FAIL = {
    "event": "failed",
    "id": "G9Bn5sl1TC6nu79C8C0bwg",
    "timestamp": 1521233195.375624,
    "log-level": "error",
    "severity": "permanent",
    "reason": "bounce",
    "recipient": "dana@example.com",
    "recipient-domain": "example.com",
    "envelope": {
        "sender": "bob@mg.example.com",
        "transport": "smtp",
        "targets": "dana@example.com",
    },
    "flags": {"is-routed": False, "is-authenticated": True, "is-system-test": False},
    "delivery-status": {
        "attempt-no": 1,
        "message": "5.1.1 The email account that you tried to reach does not exist.",
        "code": 550,
        "description": "",
        "session-seconds": 1.4,
    },
    "message": {
        "headers": {
            "to": "Dana <dana@example.com>",
            "message-id": "20180316194635.1.1A5C7E0B0E@mg.example.com",
            "from": "Club <club@example.com>",
            "subject": "פרסומת | News",
        },
        "attachments": [],
        "size": 2410,
    },
    "storage": {"url": "https://storage.mailgun.net/v3/domains/x/messages/y", "key": "y"},
    "user-variables": {"message": "campaign:1/outbox:1"},
    "tags": ["loyalty-newsletter"],
    "campaigns": [],
}

MAILGUN_UNSUBSCRIBED = {
    "event": "unsubscribed",
    "id": "Ase7i2zsRYeDXztHGENqRA",
    "timestamp": 1521243339.873676,
    "log-level": "info",
    "recipient": "dana@example.com",
    "geolocation": {"country": "IL", "region": "TA", "city": "Tel Aviv"},
    "client-info": {"client-type": "browser", "client-os": "Linux", "user-agent": "Mozilla/5.0"},
    "message": {"headers": {"message-id": "20130503182626.18666.16540@mg.example.com"}},
    "tags": [],
    "user-variables": {},
}

# From Postmark's webhook documentation: a hard bounce and a spam complaint.
POSTMARK_HARD_BOUNCE = {
    "RecordType": "Bounce",
    "MessageStream": "broadcast",
    "ID": 4323372036854775807,
    "Type": "HardBounce",
    "TypeCode": 1,
    "Name": "Hard bounce",
    "Tag": "loyalty-newsletter",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "Metadata": {"message": "campaign:1/outbox:2"},
    "ServerID": 23,
    "Description": "The server was unable to deliver your message (ex: unknown user).",
    "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist",
    "Email": "dana@example.com",
    "From": "club@example.com",
    "BouncedAt": "2026-11-05T16:33:54.9070259Z",
    "DumpAvailable": True,
    "Inactive": True,
    "CanActivate": True,
    "Subject": "News",
    "Content": "Return-Path: <>",
}

POSTMARK_SOFT_BOUNCE = {**POSTMARK_HARD_BOUNCE, "ID": 42, "Type": "SoftBounce", "TypeCode": 4096}

POSTMARK_SPAM_COMPLAINT = {
    "RecordType": "SpamComplaint",
    "MessageStream": "broadcast",
    "ID": 42,
    "Type": "SpamComplaint",
    "TypeCode": 512,
    "Name": "Spam complaint",
    "Tag": "loyalty-newsletter",
    "MessageID": "00000000-0000-0000-0000-000000000000",
    "Metadata": {},
    "ServerID": 1234,
    "Description": "The subscriber explicitly marked this message as spam.",
    "Details": "Test spam complaint details",
    "Email": "dana@example.com",
    "From": "club@example.com",
    "BouncedAt": "2026-11-05T16:33:54.9070259Z",
    "DumpAvailable": True,
    "Inactive": True,
    "CanActivate": False,
    "Subject": "Test subject",
    "Content": "<Abuse report dump>",
}


def post(client, esp, payload, auth=AUTH):
    return client.post(
        f"/anymail/{esp}/tracking/", json.dumps(payload), content_type="application/json", **auth
    )


def test_a_mailgun_bounce_suppresses_the_address_for_all_mail(
    client, webhook_settings, consenting_member, mailoutbox
):
    response = post(client, "mailgun", mailgun_payload(MAILGUN_PERMANENT_FAIL))
    assert response.status_code == 200
    assert services.is_suppressed("dana@example.com", marketing=False)
    assert Suppression.objects.get().reason == Suppression.HARD_BOUNCE
    assert not send_member_email(consenting_member, email_type="tier_changed", context={})
    assert mailoutbox == []


def test_a_postmark_bounce_suppresses_the_address(client, webhook_settings, member):
    assert post(client, "postmark", POSTMARK_HARD_BOUNCE).status_code == 200
    assert services.is_suppressed("dana@example.com", marketing=False)


def test_a_postmark_soft_bounce_suppresses_nothing(client, webhook_settings, member):
    assert post(client, "postmark", POSTMARK_SOFT_BOUNCE).status_code == 200
    assert not Suppression.objects.exists()


def test_a_complaint_suppresses_marketing_and_records_a_withdrawal(
    client, webhook_settings, consenting_member
):
    assert post(client, "postmark", POSTMARK_SPAM_COMPLAINT).status_code == 200
    assert services.is_suppressed("dana@example.com", marketing=True)
    assert not services.is_suppressed("dana@example.com", marketing=False)
    state = ConsentState.objects.get(user=consenting_member.user)
    assert state.status == ConsentState.WITHDRAWN
    assert state.last_record.source == ConsentRecord.SOURCE_ESP_COMPLAINT
    assert state.last_record.evidence["event_id"] == "42"


def test_a_mailgun_unsubscribe_records_a_withdrawal_only(
    client, webhook_settings, consenting_member
):
    assert post(client, "mailgun", mailgun_payload(MAILGUN_UNSUBSCRIBED)).status_code == 200
    assert not services.has_consent(consenting_member.user, purpose="marketing", channel="email")
    assert not Suppression.objects.exists()


def test_a_replayed_event_changes_nothing(client, webhook_settings, consenting_member):
    payload = mailgun_payload(MAILGUN_UNSUBSCRIBED)
    assert post(client, "mailgun", payload).status_code == 200
    # The member agrees again; a replay of the old event must not undo that.
    services.record_consent(
        consenting_member.user, purpose="marketing", channel="email", action="grant",
        source=ConsentRecord.SOURCE_DOI,
    )  # fmt: skip
    records = ConsentRecord.objects.count()
    assert post(client, "mailgun", payload).status_code == 200
    assert ConsentRecord.objects.count() == records
    assert TrackingEvent.objects.count() == 1
    assert services.has_consent(consenting_member.user, purpose="marketing", channel="email")


def test_a_wrong_mailgun_signature_is_refused(client, webhook_settings, member):
    payload = mailgun_payload(MAILGUN_PERMANENT_FAIL, key="not-the-key")
    assert post(client, "mailgun", payload).status_code == 400
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("auth", [{}, {"HTTP_AUTHORIZATION": "Basic aG9vazp3cm9uZw=="}])
def test_a_missing_or_wrong_webhook_secret_is_refused(client, webhook_settings, member, auth):
    response = post(client, "postmark", POSTMARK_HARD_BOUNCE, auth=auth)
    assert response.status_code in (400, 401)
    assert not Suppression.objects.exists() and not TrackingEvent.objects.exists()


def test_an_event_for_an_unknown_address_still_suppresses_it(client, webhook_settings, db):
    payload = {**POSTMARK_HARD_BOUNCE, "Email": "stranger@example.org"}
    assert post(client, "postmark", payload).status_code == 200
    assert services.is_suppressed("stranger@example.org", marketing=False)
