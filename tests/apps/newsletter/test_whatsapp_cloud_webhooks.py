"""Meta's WhatsApp Cloud API webhook: subscription check, signed replies and statuses."""

import hashlib
import hmac
import json

import pytest

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState, Suppression
from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.channels.hooks import MAX_BODY
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from oscar_loyalty.phones import number_hash
from tests.apps.newsletter.sms_fixtures import recorded
from tests.apps.newsletter.sms_server import serve
from tests.apps.newsletter.test_channels import NOON, texter

URL = "/club/sms/whatsapp-cloud/webhook/"
APP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "verify-me-7f3a"
WAMID = "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"  # the recorded send's id
REPLY_ID = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="


@pytest.fixture
def graph():
    yield from serve()


@pytest.fixture
def cloud_settings(settings, graph):
    graph.default = (200, recorded("whatsapp_cloud_message_sent.json.txt"), "application/json")
    settings.OSCAR_LOYALTY_WHATSAPP_BACKEND = {
        "BACKEND": "oscar_loyalty.apps.newsletter.channels.whatsapp_cloud.WhatsAppCloudBackend",
        "OPTIONS": {
            "phone_number_id": "106540352242922", "access_token": "tok",
            "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN, "base_url": graph.url,
        },
    }  # fmt: skip
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2000-01-01"]
    settings.OSCAR_LOYALTY_SMS_SENDER_NAME = "Shoes & Co"
    return settings


def reply_payload(text="הסר", **message):
    payload = json.loads(recorded("whatsapp_cloud_webhook_text_message.json.txt"))
    entry = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    entry["text"]["body"] = text
    entry.update(message)
    return payload


def failed_payload(code=131026, wamid=WAMID, status="failed"):
    payload = json.loads(recorded("whatsapp_cloud_webhook_status_failed.json.txt"))
    value = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    value["id"], value["status"] = wamid, status
    value["errors"][0]["code"] = code
    if status != "failed":
        value.pop("errors")
    return payload


def body_of(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def sign(body: bytes, secret=APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client, body: bytes, signature: str | None = "auto"):
    headers = {}
    if signature == "auto":
        signature = sign(body)
    if signature is not None:
        headers["HTTP_X_HUB_SIGNATURE_256"] = signature
    return client.generic("POST", URL, body, content_type="application/json", **headers)


def whatsapp_campaign(newsletter):
    return Campaign.objects.create(
        name="c", newsletter=newsletter, channels=["sms", "whatsapp"], sms_text="מבצע",
        whatsapp_template="autumn_sale",
    )  # fmt: skip


@pytest.mark.django_db
def test_the_subscription_check_echoes_the_challenge_only_for_the_right_token(
    client, cloud_settings
):
    good = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    response = client.get(URL, good)
    assert response.status_code == 200 and response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")
    assert client.get(URL, {**good, "hub.verify_token": "guess"}).status_code == 403
    assert client.get(URL, {**good, "hub.mode": "unsubscribe"}).status_code == 403
    assert (
        client.get(URL, {k: v for k, v in good.items() if k != "hub.verify_token"}).status_code
        == 403
    )
    cloud_settings.OSCAR_LOYALTY_WHATSAPP_BACKEND["OPTIONS"]["verify_token"] = ""
    assert client.get(URL, {**good, "hub.verify_token": ""}).status_code == 403


@pytest.mark.django_db
def test_a_signed_hebrew_refusal_withdraws_whatsapp_consent_with_evidence_and_only_whatsapp(
    client, newsletter, cloud_settings
):
    member = texter("a@example.com", "0502345678", channels=("sms", "whatsapp"))
    other = texter("b@example.com", "0502345679", channels=("sms", "whatsapp"))
    response = post(client, body_of(reply_payload("הסר")))
    assert response.status_code == 200
    state = ConsentState.objects.get(user=member.user, channel="whatsapp")
    assert state.status == ConsentState.WITHDRAWN
    record = state.last_record
    assert record.source == ConsentRecord.SOURCE_REPLY_REFUSAL
    assert record.evidence["provider"] == "whatsapp_cloud"
    assert record.evidence["provider_message_id"] == REPLY_ID
    assert record.evidence["number_hash"] == number_hash("+972502345678", "whatsapp")
    assert record.evidence["reply"] == "הסר"
    assert consent.has_consent(member.user, purpose="marketing", channel="sms")

    fanout.fan_out(whatsapp_campaign(newsletter), now=NOON)
    rows = set(OutboxMessage.objects.values_list("user_id", "channel"))
    assert rows == {
        (member.user_id, "sms"), (other.user_id, "sms"), (other.user_id, "whatsapp"),
    }  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    "message",
    [
        {"type": "button", "button": {"text": "STOP", "payload": "STOP"}},
        {"type": "interactive", "interactive": {
            "type": "button_reply", "button_reply": {"id": "unsub", "title": "הסר"}}},
    ],
)  # fmt: skip
def test_a_quick_reply_button_counts_as_its_text(client, cloud_settings, message):
    member = texter("a@example.com", "0502345678", channels=("whatsapp",))
    payload = reply_payload()
    entry = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    entry.pop("text")
    entry.update(message)
    assert post(client, body_of(payload)).status_code == 200
    assert not consent.has_consent(member.user, purpose="marketing", channel="whatsapp")


@pytest.mark.django_db
def test_a_refusal_with_niqqud_is_a_refusal_and_a_chat_with_emoji_is_not(client, cloud_settings):
    member = texter("a@example.com", "0502345678", channels=("whatsapp",))
    assert post(client, body_of(reply_payload("שלום 👋 מתי המבצע נגמר? 🥾"))).status_code == 200
    assert consent.has_consent(member.user, purpose="marketing", channel="whatsapp")
    assert post(client, body_of(reply_payload("הֲסֵר!"))).status_code == 200
    assert not consent.has_consent(member.user, purpose="marketing", channel="whatsapp")


@pytest.mark.django_db
def test_a_replayed_refusal_changes_nothing_twice(client, cloud_settings):
    member = texter("a@example.com", "0502345678", channels=("whatsapp",))
    body = body_of(reply_payload("STOP"))
    assert post(client, body).status_code == 200
    records = ConsentRecord.objects.count()
    assert post(client, body).status_code == 200
    assert ConsentRecord.objects.count() == records
    assert not consent.has_consent(member.user, purpose="marketing", channel="whatsapp")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forge", ["unsigned", "other secret", "tampered", "not sha256", "no secret"]
)
def test_an_unsigned_forged_or_tampered_request_is_403_and_changes_nothing(
    client, cloud_settings, forge
):
    member = texter("a@example.com", "0502345678", channels=("whatsapp",))
    body = body_of(reply_payload("הסר"))
    signature = {
        "unsigned": None,
        "other secret": sign(body, "not-the-secret"),
        "tampered": sign(body_of(reply_payload("שלום"))),  # signed a harmless body
        "not sha256": "sha1=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha1).hexdigest(),
        "no secret": sign(body, ""),
    }[forge]
    if forge == "no secret":
        cloud_settings.OSCAR_LOYALTY_WHATSAPP_BACKEND["OPTIONS"]["app_secret"] = ""
    assert post(client, body, signature).status_code == 403
    assert consent.has_consent(member.user, purpose="marketing", channel="whatsapp")


@pytest.mark.django_db
def test_a_malformed_or_huge_body_is_400_and_changes_nothing(client, cloud_settings):
    member = texter("a@example.com", "0502345678", channels=("whatsapp",))
    for body in (b"{", b"[1, 2]", '{"entry": "הסר"}'.encode(), b"\xff\xfe"):
        assert post(client, body).status_code == 400, body
    payload = reply_payload("הסר")
    payload["padding"] = "x" * MAX_BODY
    assert post(client, body_of(payload)).status_code == 400
    assert consent.has_consent(member.user, purpose="marketing", channel="whatsapp")


@pytest.mark.django_db
def test_a_permanent_failure_of_a_sent_message_bounces_it_and_suppresses_on_whatsapp_only(
    client, newsletter, cloud_settings, graph
):
    member = texter("a@example.com", "0502345678", channels=("sms", "whatsapp"))
    campaign = whatsapp_campaign(newsletter)
    fanout.fan_out(campaign, now=NOON)
    sending.process_campaign(campaign.pk, now=NOON)
    row = OutboxMessage.objects.get(channel="whatsapp")
    # The id the backend kept is the one the status names.
    assert row.status == OutboxMessage.SENT and row.esp_message_id == f"whatsapp_cloud:{WAMID}"

    body = body_of(failed_payload(131026))
    assert post(client, body).status_code == 200
    assert post(client, body).status_code == 200  # Meta's retry
    row.refresh_from_db()
    assert row.status == OutboxMessage.BOUNCED and row.error == "failed 131026"
    assert list(Suppression.objects.values_list("email_hash", flat=True)) == [
        number_hash("+972502345678", "whatsapp")
    ]
    assert OutboxMessage.objects.get(channel="sms").status == OutboxMessage.SENT
    # Consent is kept; the next campaign reaches the number on SMS only.
    assert consent.has_consent(member.user, purpose="marketing", channel="whatsapp")
    fanout.fan_out(whatsapp_campaign(newsletter), now=NOON)
    assert OutboxMessage.objects.filter(channel="whatsapp").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("code", [131049, 131047, 130429, 131000])
def test_a_failure_the_number_may_recover_from_changes_nothing(
    client, newsletter, cloud_settings, code
):
    texter("a@example.com", "0502345678", channels=("whatsapp",))
    fanout.fan_out(whatsapp_campaign(newsletter), now=NOON)
    OutboxMessage.objects.update(
        status=OutboxMessage.SENT, esp_message_id=f"whatsapp_cloud:{WAMID}"
    )
    assert post(client, body_of(failed_payload(code))).status_code == 200
    assert OutboxMessage.objects.get().status == OutboxMessage.SENT
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_a_recipient_who_stopped_our_marketing_in_whatsapp_is_a_withdrawal(
    client, newsletter, cloud_settings
):
    member = texter("a@example.com", "0502345678", channels=("sms", "whatsapp"))
    fanout.fan_out(whatsapp_campaign(newsletter), now=NOON)
    OutboxMessage.objects.filter(channel="whatsapp").update(
        status=OutboxMessage.SENT, esp_message_id=f"whatsapp_cloud:{WAMID}"
    )
    assert post(client, body_of(failed_payload(131050))).status_code == 200
    state = ConsentState.objects.get(user=member.user, channel="whatsapp")
    assert state.status == ConsentState.WITHDRAWN
    assert state.last_record.evidence["provider_message_id"] == WAMID
    assert "131050" in state.last_record.evidence["via"]
    assert consent.has_consent(member.user, purpose="marketing", channel="sms")
    assert OutboxMessage.objects.get(channel="whatsapp").status == OutboxMessage.BOUNCED


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["delivered", "read"])
def test_delivered_or_read_confirms_a_row_a_dead_worker_left_sending(
    client, newsletter, cloud_settings, status
):
    texter("a@example.com", "0502345678", channels=("whatsapp",))
    fanout.fan_out(whatsapp_campaign(newsletter), now=NOON)
    OutboxMessage.objects.update(
        status=OutboxMessage.SENDING, esp_message_id=f"whatsapp_cloud:{WAMID}"
    )
    assert post(client, body_of(failed_payload(status=status))).status_code == 200
    assert OutboxMessage.objects.get().status == OutboxMessage.SENT


@pytest.mark.django_db
def test_an_unsigned_failure_is_403_and_changes_nothing(client, newsletter, cloud_settings):
    texter("a@example.com", "0502345678", channels=("whatsapp",))
    fanout.fan_out(whatsapp_campaign(newsletter), now=NOON)
    OutboxMessage.objects.update(
        status=OutboxMessage.SENDING, esp_message_id=f"whatsapp_cloud:{WAMID}"
    )
    assert post(client, body_of(failed_payload(131026)), None).status_code == 403
    assert OutboxMessage.objects.get().status == OutboxMessage.SENDING
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_an_event_of_another_field_is_acknowledged_and_ignored(client, cloud_settings):
    member = texter("a@example.com", "0502345678", channels=("whatsapp",))
    payload = reply_payload("הסר")
    payload["entry"][0]["changes"][0]["field"] = "message_template_status_update"
    assert post(client, body_of(payload)).status_code == 200
    assert consent.has_consent(member.user, purpose="marketing", channel="whatsapp")
