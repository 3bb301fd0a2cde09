# ruff: noqa: F811 (pytest fixtures imported from test_sms_twilio are parameters here)
"""Twilio's webhooks under replay and hostile input: nothing changes twice, nothing breaks."""

from datetime import timedelta

import pytest

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord, Suppression
from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.channels.twilio import TwilioBackend
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from tests.apps.newsletter.test_channels import NOON, texter
from tests.apps.newsletter.test_sms_twilio import (
    SID,
    Replay,
    post_signed,
    twilio_settings,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.django_db

INBOUND, STATUS = "/club/sms/twilio/inbound/", "/club/sms/twilio/status/"


@pytest.fixture
def sent(newsletter, twilio_settings, monkeypatch):
    """One SMS sent through Twilio (replayed), its row ``sent`` with Twilio's SID."""
    texter("a@example.com", "0502345678")
    monkeypatch.setattr(TwilioBackend, "http_client", Replay())
    campaign = Campaign.objects.create(
        name="1", newsletter=newsletter, channels=["sms"], sms_text="x"
    )
    fanout.fan_out(campaign, now=NOON)
    sending.process_campaign(campaign.pk, now=NOON)
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.SENT and row.esp_message_id == f"twilio:{SID}"
    return row


def test_a_replayed_refusal_is_recorded_once(client, twilio_settings):
    member = texter("a@example.com", "0502345678")
    params = {"From": "+972502345678", "Body": "הסר", "MessageSid": "SMreply1"}
    for _ in range(3):
        assert post_signed(client, INBOUND, params).status_code == 200
    withdrawals = ConsentRecord.objects.filter(
        user=member.user, channel="sms", action=ConsentRecord.WITHDRAW
    )
    assert withdrawals.count() == 1
    assert not consent.has_consent(member.user, purpose="marketing", channel="sms")


def test_a_replayed_delivered_report_changes_nothing_after_the_first(client, sent):
    params = {"MessageSid": SID, "MessageStatus": "delivered", "To": "+972502345678"}
    before = (sent.status, sent.sent_at, sent.updated_at)
    for _ in range(2):
        assert post_signed(client, STATUS, params).status_code == 204
    sent.refresh_from_db()
    assert (sent.status, sent.sent_at, sent.updated_at) == before


def test_a_late_delivered_report_does_not_undo_a_bounce(client, sent):
    failed = {"MessageSid": SID, "MessageStatus": "undelivered", "ErrorCode": "30003",
              "To": "+972502345678"}  # fmt: skip
    assert post_signed(client, STATUS, failed).status_code == 204
    late = {"MessageSid": SID, "MessageStatus": "delivered", "To": "+972502345678"}
    assert post_signed(client, STATUS, late).status_code == 204
    sent.refresh_from_db()
    assert sent.status == OutboxMessage.BOUNCED and "30003" in sent.error
    assert Suppression.objects.count() == 1


def test_a_report_for_an_unknown_message_id_changes_nothing(client, sent):
    for status in ("delivered", "undelivered", "failed"):
        params = {"MessageSid": "SM" + "0" * 32, "MessageStatus": status, "ErrorCode": "30005",
                  "To": "+972502345678"}  # fmt: skip
        assert post_signed(client, STATUS, params).status_code == 204
    sent.refresh_from_db()
    assert sent.status == OutboxMessage.SENT and sent.error == ""
    assert not Suppression.objects.exists()


def test_a_report_naming_the_row_on_another_channel_changes_nothing(client, sent):
    params = {"MessageSid": SID, "MessageStatus": "undelivered", "To": "whatsapp:+972502345678"}
    assert post_signed(client, STATUS, params).status_code == 204
    sent.refresh_from_db()
    assert sent.status == OutboxMessage.SENT and not Suppression.objects.exists()


def test_a_signature_made_for_one_webhook_is_refused_by_the_other(client, sent):
    """The signature covers the URL: a report replayed to the reply URL, and back, is forged."""
    from twilio.request_validator import RequestValidator

    from tests.apps.newsletter.test_sms_twilio import TOKEN

    params = {"MessageSid": SID, "MessageStatus": "undelivered", "To": "+972502345678",
              "From": "+972502345678", "Body": "STOP"}  # fmt: skip
    for signed_for, posted_to in ((STATUS, INBOUND), (INBOUND, STATUS)):
        signature = RequestValidator(TOKEN).compute_signature(
            f"http://testserver{signed_for}", params
        )
        response = client.post(posted_to, params, HTTP_X_TWILIO_SIGNATURE=signature)
        assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == OutboxMessage.SENT
    assert consent.has_consent(sent.user, purpose="marketing", channel="sms")


@pytest.mark.parametrize(
    "signature",
    ["חתימה", "ÿþ=", "\x00", "a" * 10_000, "=" * 28],
    ids=["hebrew", "latin-1", "nul", "long", "padding"],
)
def test_a_non_ascii_or_malformed_signature_header_is_a_403_not_an_error(
    client,
    twilio_settings,
    signature,
):
    member = texter("a@example.com", "0502345678")
    params = {"From": "+972502345678", "Body": "הסר", "MessageSid": "SMhostile"}
    for url in (INBOUND, STATUS):
        assert client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 403
    assert consent.has_consent(member.user, purpose="marketing", channel="sms")


def test_non_ascii_and_odd_fields_signed_by_twilio_are_read_safely(client, twilio_settings):
    """Hebrew, emoji and a number that is not one: a 200, and only a real refusal counts."""
    member = texter("a@example.com", "0502345678")
    for sender, body in (
        ("+972502345678", "שלום 🙏 הסר בבקשה את המבצע"),  # not a refusal: a sentence
        ("מספר", "הסר"),  # no number to withdraw
        ("whatsapp:+972502345678", "הסר"),  # a refusal on WhatsApp, not SMS
    ):
        params = {"From": sender, "Body": body, "MessageSid": "SModd"}
        assert post_signed(client, INBOUND, params).status_code == 200
    assert consent.has_consent(member.user, purpose="marketing", channel="sms")


def test_a_refusal_stops_the_next_campaigns_fan_out_and_a_row_already_pending(
    client,
    newsletter,
    twilio_settings,
    monkeypatch,
):
    refuser = texter("a@example.com", "0502345678")
    other = texter("b@example.com", "0502345679")
    replay = Replay()
    monkeypatch.setattr(TwilioBackend, "http_client", replay)
    pending = Campaign.objects.create(
        name="pending", newsletter=newsletter, channels=["sms"], sms_text="x"
    )
    fanout.fan_out(pending, now=NOON)  # a row for the refuser already waits
    params = {"From": "+972502345678", "Body": "הסר", "MessageSid": "SMstop"}
    assert post_signed(client, INBOUND, params).status_code == 200

    later = NOON + timedelta(minutes=1)
    sending.process_campaign(pending.pk, now=later)
    assert OutboxMessage.objects.get(campaign=pending, user=refuser.user).status == "skipped"
    following = Campaign.objects.create(
        name="next", newsletter=newsletter, channels=["sms"], sms_text="y"
    )
    assert fanout.fan_out(following, now=later) == 1  # the other number only
    sending.process_campaign(following.pk, now=later)
    assert [r["data"]["To"] for r in replay.requests] == [str(other.phone)] * 2
    assert not following.messages.filter(user=refuser.user).exists()
