"""Twilio through its SDK, replayed through the SDK's own HTTP client hook; its webhooks."""

import json
import logging

import pytest
from django.core.exceptions import ObjectDoesNotExist
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState, Suppression
from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.channels import ChannelAPIError, ChannelMessage
from oscar_loyalty.apps.newsletter.channels.twilio import TwilioBackend
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from oscar_loyalty.phones import number_hash
from tests.apps.newsletter.sms_fixtures import recorded
from tests.apps.newsletter.test_channels import NOON, texter

pytestmark = pytest.mark.django_db

ACCOUNT, TOKEN = "ACc4c268517530bb5fec0b659e3f88c6be", "test-auth-token"
SID = "SM29f4f980778e4621b72df75ac82f5000"


class Replay(HttpClient):
    """The SDK's HTTP hook: records each request, answers with a recorded response."""

    def __init__(self, status=201, body=None):
        super().__init__(logging.getLogger("twilio.http_client"), False)
        self.status, self.body, self.requests = status, body, []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, **kw):
        self.requests.append({"method": method, "uri": uri, "data": dict(data or {})})
        return Response(self.status, self.body or recorded("twilio_message_created.json.txt"))


def backend(client, **options):
    return TwilioBackend(
        account_sid=ACCOUNT, auth_token=TOKEN, from_number="+19106000514", http_client=client,
        **options,
    )  # fmt: skip


def test_an_sms_is_one_messages_create_call_and_the_sid_is_its_message_id():
    client = Replay()
    statuses = backend(client).send_messages(
        [ChannelMessage(ref="7", to="+972502345678", body="פרסומת - Shop: x\nלהסרה השב הסר")]
    )
    assert statuses["7"].status == "queued" and statuses["7"].message_id == SID
    (call,) = client.requests
    assert call["method"] == "POST"
    assert call["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert call["data"]["To"] == "+972502345678" and call["data"]["From"] == "+19106000514"
    assert call["data"]["Body"].startswith("פרסומת")


def test_a_whatsapp_template_goes_as_content_sid_and_variables_from_a_whatsapp_sender():
    client = Replay()
    message = ChannelMessage(
        ref="1", to="+972502345678", body="", template="HXb5b62575e6e4ff6129ad7c8efe1f983e",
        parameters=["Dana"],
    )  # fmt: skip
    backend(client, channels=("whatsapp",)).send_messages([message])
    data = client.requests[0]["data"]
    assert data["To"] == "whatsapp:+972502345678" and data["From"] == "whatsapp:+19106000514"
    assert data["ContentSid"] == "HXb5b62575e6e4ff6129ad7c8efe1f983e"
    assert json.loads(data["ContentVariables"]) == {"1": "Dana"}


def test_twilios_400_is_a_refusal_with_its_status_so_the_outbox_fails_the_row():
    client = Replay(status=400, body=recorded("twilio_error_400.json.txt"))
    with pytest.raises(ChannelAPIError) as caught:
        backend(client).send_messages([ChannelMessage(ref="1", to="+97200000000", body="x")])
    assert caught.value.status_code == 400 and "21211" in str(caught.value)


@pytest.fixture
def twilio_settings(settings):
    settings.OSCAR_LOYALTY_SMS_BACKEND = {
        "BACKEND": "oscar_loyalty.apps.newsletter.channels.twilio.TwilioBackend",
        "OPTIONS": {"account_sid": ACCOUNT, "auth_token": TOKEN, "from_number": "+19106000514"},
    }
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2000-01-01"]
    return settings


def post_signed(client, url, params, *, token=TOKEN):
    full = f"http://testserver{url}"
    signature = RequestValidator(token).compute_signature(full, params)
    return client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_reply_hasser_through_the_webhook_stops_the_next_message(
    client, newsletter, twilio_settings, monkeypatch
):
    member = texter("a@example.com", "0502345678")
    other = texter("b@example.com", "0502345679")
    replay = Replay()
    monkeypatch.setattr(TwilioBackend, "http_client", replay)
    first = Campaign.objects.create(
        name="1", newsletter=newsletter, channels=["sms"], sms_text="x"
    )
    fanout.fan_out(first, now=NOON)
    second = Campaign.objects.create(
        name="2", newsletter=newsletter, channels=["sms"], sms_text="y"
    )
    fanout.fan_out(second, now=NOON)  # already fanned out: the gate must stop it
    sending.process_campaign(first.pk, now=NOON)
    assert len(replay.requests) == 2

    response = post_signed(
        client, "/club/sms/twilio/inbound/",
        {"From": "+972502345678", "To": "+19106000514", "Body": "הֲסֵר.", "MessageSid": "SMin1"},
    )  # fmt: skip
    assert response.status_code == 200 and b"<Response>" in response.content

    state = ConsentState.objects.get(user=member.user, channel="sms")
    assert state.status == ConsentState.WITHDRAWN
    record = state.last_record
    assert record.source == ConsentRecord.SOURCE_REPLY_REFUSAL
    assert record.evidence["number_hash"] == number_hash("+972502345678", "sms")
    assert (
        record.evidence["answered"]
        == OutboxMessage.objects.get(campaign=first, user=member.user).message_ref
    )
    assert record.evidence["provider_message_id"] == "SMin1"

    sending.process_campaign(second.pk, now=NOON)
    assert [r["data"]["To"] for r in replay.requests[2:]] == [str(other.phone)]
    assert OutboxMessage.objects.get(campaign=second, user=member.user).status == "skipped"


def test_an_unsigned_or_forged_reply_changes_nothing(client, twilio_settings):
    member = texter("a@example.com", "0502345678")
    params = {"From": "+972502345678", "Body": "STOP", "MessageSid": "SMin2"}
    assert client.post("/club/sms/twilio/inbound/", params).status_code == 403
    forged = post_signed(client, "/club/sms/twilio/inbound/", params, token="not-the-token")
    assert forged.status_code == 403
    assert consent.has_consent(member.user, purpose="marketing", channel="sms")


def test_a_reply_that_is_not_a_refusal_changes_nothing(client, twilio_settings):
    member = texter("a@example.com", "0502345678")
    params = {"From": "+972502345678", "Body": "אל תסירו אותי", "MessageSid": "SMin3"}
    assert post_signed(client, "/club/sms/twilio/inbound/", params).status_code == 200
    assert consent.has_consent(member.user, purpose="marketing", channel="sms")


def test_a_permanent_failure_report_bounces_the_row_and_suppresses_the_number_on_sms_only(
    client, newsletter, twilio_settings, monkeypatch
):
    member = texter("a@example.com", "0502345678", channels=("sms", "whatsapp"))
    monkeypatch.setattr(TwilioBackend, "http_client", Replay())
    campaign = Campaign.objects.create(name="1", newsletter=newsletter, channels=["sms"])
    fanout.fan_out(campaign, now=NOON)
    sending.process_campaign(campaign.pk, now=NOON)
    row = OutboxMessage.objects.get()
    assert row.esp_message_id == f"twilio:{SID}"

    params = {"MessageSid": SID, "MessageStatus": "undelivered", "ErrorCode": "30005",
              "To": "+972502345678", "From": "+19106000514", "AccountSid": ACCOUNT}  # fmt: skip
    assert post_signed(client, "/club/sms/twilio/status/", params).status_code == 204
    assert post_signed(client, "/club/sms/twilio/status/", params).status_code == 204  # replay
    row.refresh_from_db()
    assert row.status == OutboxMessage.BOUNCED and "30005" in row.error
    suppressed = set(Suppression.objects.values_list("email_hash", flat=True))
    assert suppressed == {number_hash("+972502345678", "sms")}
    again = Campaign.objects.create(
        name="2", newsletter=newsletter, channels=["sms", "whatsapp"], sms_text="x"
    )
    fanout.fan_out(again, now=NOON)
    assert list(again.messages.values_list("channel", flat=True)) == ["whatsapp"]
    assert member.user.pk == again.messages.get().user_id


def test_a_delivered_report_confirms_a_row_a_dead_worker_left_sending(
    client, newsletter, twilio_settings
):
    texter("a@example.com", "0502345678")
    campaign = Campaign.objects.create(name="1", newsletter=newsletter, channels=["sms"])
    fanout.fan_out(campaign, now=NOON)
    OutboxMessage.objects.update(status=OutboxMessage.SENDING, esp_message_id=f"twilio:{SID}")
    params = {"MessageSid": SID, "MessageStatus": "delivered", "To": "+972502345678"}
    assert post_signed(client, "/club/sms/twilio/status/", params).status_code == 204
    assert OutboxMessage.objects.get().status == OutboxMessage.SENT
    with pytest.raises(ObjectDoesNotExist):
        Suppression.objects.get()


def test_the_status_callback_carries_the_outbox_id_and_keeps_the_urls_own_query():
    from oscar_loyalty.apps.newsletter.channels.twilio import status_callback_for

    url = "https://shop.example/club/sms/twilio/status/?site=he&outbox=999"
    assert status_callback_for(url, 42) == (
        "https://shop.example/club/sms/twilio/status/?site=he&outbox=42"
    )


def test_a_report_signed_with_the_outbox_id_confirms_the_row_a_worker_died_before_recording(
    client, newsletter, twilio_settings, monkeypatch
):
    twilio_settings.OSCAR_LOYALTY_SMS_BACKEND["OPTIONS"]["status_callback"] = (
        "http://testserver/club/sms/twilio/status/"
    )
    texter("a@example.com", "0502345678")
    replay = Replay()
    monkeypatch.setattr(TwilioBackend, "http_client", replay)
    campaign = Campaign.objects.create(name="1", newsletter=newsletter, channels=["sms"])
    fanout.fan_out(campaign, now=NOON)
    sending.process_campaign(campaign.pk, now=NOON)
    row = OutboxMessage.objects.get()
    callback = replay.requests[0]["data"]["StatusCallback"]
    assert callback.endswith(f"?outbox={row.pk}")
    # The worker was killed after Twilio accepted, before it recorded the answer.
    OutboxMessage.objects.update(status=OutboxMessage.SENDING, esp_message_id="")
    path = callback.removeprefix("http://testserver")
    params = {"MessageSid": SID, "MessageStatus": "delivered", "To": "+972502345678"}
    # The id moved to another row, or the query dropped: Twilio's signature no longer holds.
    forged = f"{path.split('?')[0]}?outbox={row.pk + 1}"
    signed_for_path = RequestValidator(TOKEN).compute_signature(f"http://testserver{path}", params)
    assert client.post(forged, params, HTTP_X_TWILIO_SIGNATURE=signed_for_path).status_code == 403
    row.refresh_from_db()
    assert row.status == OutboxMessage.SENDING
    assert post_signed(client, path, params).status_code == 204
    row.refresh_from_db()
    assert (row.status, row.esp_message_id) == (OutboxMessage.SENT, f"twilio:{SID}")


def test_a_report_for_an_earlier_attempt_does_not_settle_a_row_that_recorded_another_id(
    client, newsletter, twilio_settings
):
    texter("a@example.com", "0502345678")
    campaign = Campaign.objects.create(name="1", newsletter=newsletter, channels=["sms"])
    fanout.fan_out(campaign, now=NOON)
    row = OutboxMessage.objects.get()
    OutboxMessage.objects.update(status=OutboxMessage.SENDING, esp_message_id="twilio:SMother")
    params = {"MessageSid": SID, "MessageStatus": "undelivered", "To": "+972502345678"}
    path = f"/club/sms/twilio/status/?outbox={row.pk}"
    assert post_signed(client, path, params).status_code == 204
    row.refresh_from_db()
    assert row.status == OutboxMessage.SENDING
    assert not Suppression.objects.exists()
