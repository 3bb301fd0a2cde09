"""Hard and soft bounces per provider, through Anymail's real webhook views.

Amazon SES payloads are built exactly as SES publishes them: an SNS
``Notification`` whose ``Message`` is the SES event as a JSON string, with the
``x-amz-sns-*`` headers SNS sends (docs.aws.amazon.com/ses/latest/dg/
event-publishing-retrieving-sns-contents.html).
"""

import base64
import json
import uuid

import pytest
from django.test import Client

from oscar_loyalty.apps.consent import services
from oscar_loyalty.apps.consent.hashing import email_hash
from oscar_loyalty.apps.consent.models import ConsentState, Suppression, TrackingEvent
from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter, OutboxMessage
from oscar_loyalty.mail import send_member_email

from .test_webhooks import (
    AUTH,
    MAILGUN_PERMANENT_FAIL,
    POSTMARK_HARD_BOUNCE,
    mailgun_payload,
    post,
)

pytestmark = pytest.mark.django_db

SES_MESSAGE_ID = "0100018c1a2b3c4d-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9-000000"


def ses_mail(destination, *, metadata=None):
    headers = [
        {"name": "From", "value": "Club <club@example.com>"},
        {"name": "To", "value": ", ".join(destination)},
        {"name": "Subject", "value": "פרסומת | News"},
    ]
    if metadata is not None:
        headers.append({"name": "X-Metadata", "value": json.dumps(metadata)})
    return {
        "timestamp": "2026-11-05T16:30:02.012Z",
        "source": "Club <club@example.com>",
        "sourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
        "sendingAccountId": "123456789012",
        "messageId": SES_MESSAGE_ID,
        "destination": destination,
        "headersTruncated": False,
        "headers": headers,
        "commonHeaders": {
            "from": ["Club <club@example.com>"],
            "to": destination,
            "messageId": SES_MESSAGE_ID,
            "subject": "פרסומת | News",
        },
        "tags": {"ses:configuration-set": ["club"], "ses:source-ip": ["203.0.113.1"]},
    }


def ses_bounce(recipients, *, bounce_type="Permanent", sub_type="General", metadata=None):
    return {
        "eventType": "Bounce",
        "bounce": {
            "feedbackId": "0100018c1a2b3c4d-aaaa-bbbb-cccc-000000000000-000000",
            "bounceType": bounce_type,
            "bounceSubType": sub_type,
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1" if bounce_type == "Permanent" else "4.2.2",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown"
                    if bounce_type == "Permanent"
                    else "smtp; 452 4.2.2 mailbox full",
                }
                for address in recipients
            ],
            "timestamp": "2026-11-05T16:30:03.669Z",
            "reportingMTA": "dsn; a1-2.smtp-out.eu-west-1.amazonses.com",
        },
        "mail": ses_mail(recipients, metadata=metadata),
    }


def ses_complaint(recipients):
    return {
        "eventType": "Complaint",
        "complaint": {
            "feedbackId": "0100018c1a2b3c4d-dddd-eeee-ffff-000000000000-000000",
            "complaintSubType": None,
            "complainedRecipients": [{"emailAddress": address} for address in recipients],
            "timestamp": "2026-11-05T16:40:03.000Z",
            "userAgent": "Mozilla/5.0",
            "complaintFeedbackType": "abuse",
            "arrivalDate": "2026-11-05T16:39:58.000Z",
        },
        "mail": ses_mail(recipients),
    }


def ses_post(client, ses_event, *, sns_id=None):
    sns_id = sns_id or str(uuid.uuid4())
    topic = "arn:aws:sns:eu-west-1:123456789012:ses-club-events"
    body = {
        "Type": "Notification",
        "MessageId": sns_id,
        "TopicArn": topic,
        "Message": json.dumps(ses_event),
        "Timestamp": "2026-11-05T16:30:04.102Z",
        "SignatureVersion": "1",
        "Signature": base64.b64encode(b"not-verified-by-anymail").decode(),
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe"
        f"&SubscriptionArn={topic}:8f3a",
    }
    return client.post(
        "/anymail/amazon_ses/tracking/",
        json.dumps(body),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
        HTTP_X_AMZ_SNS_MESSAGE_ID=sns_id,
        HTTP_X_AMZ_SNS_TOPIC_ARN=topic,
        HTTP_USER_AGENT="Amazon Simple Notification Service Agent",
        **AUTH,
    )


def test_one_ses_bounce_naming_two_recipients_suppresses_both(client, webhook_settings, db):
    event = ses_bounce(["dana@example.com", "noam@example.org"])
    assert ses_post(client, event).status_code == 200
    assert services.is_suppressed("dana@example.com", marketing=False)
    assert services.is_suppressed("noam@example.org", marketing=False)
    assert TrackingEvent.objects.count() == 2


def test_a_replayed_ses_notification_changes_nothing(client, webhook_settings, db):
    event = ses_bounce(["dana@example.com", "noam@example.org"])
    sns_id = str(uuid.uuid4())
    assert ses_post(client, event, sns_id=sns_id).status_code == 200
    assert ses_post(client, event, sns_id=sns_id).status_code == 200
    assert TrackingEvent.objects.count() == 2 and Suppression.objects.count() == 2


def test_an_ses_transient_bounce_suppresses_nothing_and_order_mail_still_goes(
    client, webhook_settings, consenting_member, mailoutbox
):
    event = ses_bounce(["dana@example.com"], bounce_type="Transient", sub_type="MailboxFull")
    assert ses_post(client, event).status_code == 200
    assert not Suppression.objects.exists()
    assert send_member_email(consenting_member, email_type="tier_changed", context={})


def test_an_ses_complaint_suppresses_marketing_and_withdraws(
    client, webhook_settings, consenting_member
):
    assert ses_post(client, ses_complaint(["Dana@Example.com"])).status_code == 200
    assert services.is_suppressed("dana@example.com", marketing=True)
    assert not services.is_suppressed("dana@example.com", marketing=False)
    assert ConsentState.objects.get(user=consenting_member.user).status == "withdrawn"


# SendGrid: a "bounce" event whose type is "blocked" is a soft bounce.
SENDGRID_BOUNCE = {
    "email": "dana@example.com",
    "timestamp": 1730824203,
    "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
    "event": "bounce",
    "category": ["loyalty-newsletter"],
    "sg_event_id": "6g4ZI7SA-xmRDv57GoPIPw==",
    "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
    "reason": "500 unknown recipient",
    "status": "5.0.0",
    "type": "bounce",
    "bounce_classification": "Invalid Address",
}
SENDGRID_BLOCKED = {
    **SENDGRID_BOUNCE,
    "sg_event_id": "Gq3pUZq2SFulb2Pq3Ca9Ow==",
    "reason": "421 4.7.0 Try again later, closing connection.",
    "status": "4.7.0",
    "type": "blocked",
    "bounce_classification": "Reputation",
}


def test_a_sendgrid_blocked_bounce_suppresses_nothing(client, webhook_settings, db):
    assert post(client, "sendgrid", [SENDGRID_BLOCKED]).status_code == 200
    assert not Suppression.objects.exists()


def test_a_sendgrid_hard_bounce_suppresses_all_mail(client, webhook_settings, db):
    assert post(client, "sendgrid", [SENDGRID_BOUNCE]).status_code == 200
    assert services.is_suppressed("dana@example.com", marketing=False)


def test_a_mailgun_temporary_failure_suppresses_nothing(client, webhook_settings, db):
    temporary = {
        **MAILGUN_PERMANENT_FAIL,
        "severity": "temporary",
        "reason": "generic",
        "delivery-status": {"code": 452, "message": "4.2.2 Mailbox full", "attempt-no": 1},
    }
    assert post(client, "mailgun", mailgun_payload(temporary)).status_code == 200
    assert not Suppression.objects.exists()


def test_a_legacy_mailgun_drop_after_temporary_failures_suppresses_nothing(
    client, webhook_settings, db
):
    import hashlib
    import hmac

    timestamp, token = "1529006854", "b" * 50
    signature = hmac.new(b"mailgun-signing-key", f"{timestamp}{token}".encode(), hashlib.sha256)
    form = {
        "event": "dropped",
        "recipient": "dana@example.com",
        "reason": "old",
        "code": "452",
        "description": "Too old: mailbox full for 8 hours",
        "Message-Id": "<20130503182626.18666.16540@mg.example.com>",
        "timestamp": timestamp,
        "token": token,
        "signature": signature.hexdigest(),
    }
    assert client.post("/anymail/mailgun/tracking/", form, **AUTH).status_code == 200
    assert not Suppression.objects.exists()


def test_a_postmark_transient_or_soft_bounce_suppresses_nothing(client, webhook_settings, db):
    for number, kind in enumerate(("SoftBounce", "Transient", "DnsError", "AutoResponder")):
        payload = {**POSTMARK_HARD_BOUNCE, "ID": 900 + number, "Type": kind}
        assert post(client, "postmark", payload).status_code == 200
    assert not Suppression.objects.exists()


@pytest.fixture
def shared_message_rows(member):
    newsletter = Newsletter.objects.create(title="N", subject="N", language="en", live=True)
    campaign = Campaign.objects.create(name="N", newsletter=newsletter)
    rows = []
    for address in ("dana@example.com", "noam@example.org", "tal@example.net"):
        rows.append(
            OutboxMessage.objects.create(
                campaign=campaign,
                email_hash=email_hash(address),
                status=OutboxMessage.SENT,
                esp_message_id=SES_MESSAGE_ID,
            )  # fmt: skip
        )
    return rows


def test_a_bounce_without_our_metadata_marks_only_the_bounced_recipients_row(
    client, webhook_settings, shared_message_rows
):
    # One batch send, one provider message id; only Noam's mailbox bounced.
    assert ses_post(client, ses_bounce(["noam@example.org"])).status_code == 200
    statuses = {
        row.email_hash: row.status
        for row in OutboxMessage.objects.filter(pk__in=[r.pk for r in shared_message_rows])
    }
    assert statuses == {
        email_hash("dana@example.com"): OutboxMessage.SENT,
        email_hash("noam@example.org"): OutboxMessage.BOUNCED,
        email_hash("tal@example.net"): OutboxMessage.SENT,
    }


def test_a_webhook_with_unicode_and_odd_case_recipients_is_stored_once_per_address(
    webhook_settings, db
):
    client = Client()
    event = ses_bounce(["Dána@Exämple.com", "dána@exämple.com ", "ИВАН@пример.рф"])
    assert ses_post(client, event).status_code == 200
    assert services.is_suppressed("dána@exämple.com", marketing=False)
    assert services.is_suppressed("иван@пример.рф", marketing=False)
    assert Suppression.objects.count() == 2


def test_a_webhook_with_nul_bytes_and_a_huge_message_id_is_applied_and_stored_safely(
    client, webhook_settings, consenting_member
):
    # JSON can carry \u0000, which PostgreSQL text and jsonb columns refuse.
    event = ses_complaint(["dana@example.com"])
    event["mail"]["messageId"] = "id\x00" + "ü" * 400
    event["mail"]["headers"].append(
        {"name": "X-Metadata", "value": json.dumps({"message": "campaign:1\x00\ud800"})}
    )
    assert ses_post(client, event, sns_id="sns\x00-1").status_code == 200
    row = TrackingEvent.objects.get()
    assert "\x00" not in row.message_id + row.event_id and len(row.message_id) <= 255
    record = ConsentState.objects.get(user=consenting_member.user).last_record
    assert "\x00" not in json.dumps(record.evidence)


@pytest.mark.parametrize("recipient", ["", "   ", "\x00", "no-at-sign", "\ud800@example.com"])
def test_a_webhook_with_a_hostile_recipient_changes_nothing_it_should_not(
    client, webhook_settings, consenting_member, recipient
):
    event = ses_bounce([recipient])
    assert ses_post(client, event).status_code == 200
    assert not services.is_suppressed("dana@example.com", marketing=False)
    assert services.has_consent(consenting_member.user, purpose="marketing", channel="email")
