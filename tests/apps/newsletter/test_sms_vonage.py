"""Vonage's SMS API against a local server answering with recorded bodies; its signed webhooks."""

import json
import time

import pytest

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState, Suppression
from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.channels import ChannelMessage
from oscar_loyalty.apps.newsletter.channels.vonage import (
    VonageBackend,
    signature,
    signature_is_valid,
)
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from oscar_loyalty.phones import number_hash
from tests.apps.newsletter.sms_fixtures import recorded
from tests.apps.newsletter.sms_server import serve
from tests.apps.newsletter.test_channels import NOON, texter

SECRET = "vonage-signature-secret"
MESSAGE_ID = "0C000000217B7F02"


def sent_answer():
    return (200, recorded("vonage_sms_sent.json.txt"), "application/json")


def error_answer(status, text):
    body = recorded("vonage_sms_error.json.txt").replace("STATUS", status).replace("TEXT", text)
    return (200, body, "application/json")


@pytest.fixture
def provider():
    yield from serve()


@pytest.fixture
def vonage_settings(settings, provider):
    provider.default = sent_answer()
    settings.OSCAR_LOYALTY_SMS_BACKEND = {
        "BACKEND": "oscar_loyalty.apps.newsletter.channels.vonage.VonageBackend",
        "OPTIONS": {
            "api_key": "abcd1234", "api_secret": "api-secret", "from_number": "ShoesCo",
            "status_callback": "https://shop.example/club/sms/vonage/status/",
            "signature_secret": SECRET, "base_url": provider.url,
        },
    }  # fmt: skip
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2000-01-01"]
    settings.OSCAR_LOYALTY_SMS_SENDER_NAME = "Shoes & Co"
    return settings


def campaign(newsletter, text="מבצע חורף: 20% הנחה"):
    return Campaign.objects.create(
        name="c", newsletter=newsletter, channels=["sms"], sms_text=text
    )


def send(newsletter, text="מבצע חורף: 20% הנחה"):
    c = campaign(newsletter, text)
    fanout.fan_out(c, now=NOON)
    sending.process_campaign(c.pk, now=NOON)
    return c


@pytest.mark.django_db
def test_a_chunk_goes_as_one_unicode_request_per_number_and_each_row_keeps_vonages_id(
    newsletter, vonage_settings, provider
):
    texter("a@example.com", "0502345678")
    texter("b@example.com", "0502345679")
    send(newsletter)
    assert [s.path for s in provider.seen] == ["/sms/json", "/sms/json"]
    form = provider.seen[0].form
    assert form["to"] in {"972502345678", "972502345679"} and form["from"] == "ShoesCo"
    assert form["type"] == "unicode"  # Hebrew: UCS-2, else Vonage sends "?"
    assert form["text"].startswith("פרסומת - Shoes & Co: מבצע חורף")
    assert form["text"].endswith("להסרה השב הסר")
    assert form["api_key"] == "abcd1234" and form["api_secret"] == "api-secret"
    assert form["status-report-req"] == "1"
    assert form["callback"] == "https://shop.example/club/sms/vonage/status/"
    rows = OutboxMessage.objects.all()
    assert {r.status for r in rows} == {OutboxMessage.SENT}
    assert {r.esp_message_id for r in rows} == {f"vonage:{MESSAGE_ID}"}


def test_a_latin_text_goes_as_gsm_text():
    message = ChannelMessage(ref="1", to="+972502345678", body="Sale -20%\nreply STOP")
    assert VonageBackend(from_number="ShoesCo").build_payload(message)["type"] == "text"


@pytest.mark.django_db
def test_a_barred_number_fails_alone_and_the_others_are_sent(
    newsletter, vonage_settings, provider
):
    texter("a@example.com", "0502345678")
    barred = texter("b@example.com", "0502345679")
    provider.answer = lambda seen: (
        error_answer("7", "Number Barred") if seen.form["to"] == "972502345679" else None
    )
    send(newsletter)
    failed = OutboxMessage.objects.get(user=barred.user)
    assert failed.status == OutboxMessage.FAILED and "Number Barred" in failed.error
    assert OutboxMessage.objects.exclude(pk=failed.pk).get().status == OutboxMessage.SENT


@pytest.mark.django_db
@pytest.mark.parametrize("answer", [(503, "Service Unavailable", "text/plain"), "throttled"])
def test_a_5xx_or_throttling_puts_the_chunk_back_for_a_later_attempt(
    newsletter, vonage_settings, provider, answer
):
    texter("a@example.com", "0502345678")
    provider.default = (
        error_answer("1", "Throughput Rate Exceeded") if answer == "throttled" else answer
    )
    send(newsletter)
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.PENDING and row.next_attempt_at > NOON
    assert row.attempts == 1


@pytest.mark.django_db
def test_throttled_after_an_accepted_message_stops_the_batch_and_fails_nothing(
    newsletter, vonage_settings, provider
):
    texter("a@example.com", "0502345678")
    texter("b@example.com", "0502345679")
    texter("c@example.com", "0502345670")
    provider.answer = lambda seen: (
        error_answer("1", "Throttled") if len(provider.seen) >= 2 else sent_answer()
    )
    send(newsletter)
    assert len(provider.seen) == 2  # the third was not tried
    statuses = sorted(OutboxMessage.objects.values_list("status", flat=True))
    # Not sent: they stay "sending" and go out again after the lease, like a crash.
    assert statuses == [OutboxMessage.SENDING, OutboxMessage.SENDING, OutboxMessage.SENT]


@pytest.mark.django_db
def test_no_answer_leaves_the_rows_unconfirmed_for_the_lease(newsletter, vonage_settings):
    vonage_settings.OSCAR_LOYALTY_SMS_BACKEND["OPTIONS"]["base_url"] = "http://127.0.0.1:9"
    texter("a@example.com", "0502345678")
    send(newsletter)
    assert OutboxMessage.objects.get().status == OutboxMessage.SENDING


def test_the_signature_matches_the_official_sdks_published_vector():
    # vonage-python-sdk, tests/test_signature.py: md5hash of a=1, b=2, timestamp with "secret".
    params = {"a": "1", "b": "2", "timestamp": "1461605396"}
    assert signature(params, "secret") == "6af838ef94998832dbfc29020b564830"


@pytest.mark.parametrize("method", ["md5hash", "md5", "sha1", "sha256", "sha512"])
def test_a_signature_is_valid_only_with_its_secret_method_and_a_recent_timestamp(method):
    now = 1_700_000_000
    params = {"msisdn": "972502345678", "text": "a&b=c", "timestamp": str(now)}
    params["sig"] = signature(params, SECRET, method)
    assert signature_is_valid(params, secret=SECRET, method=method, now=now + 60)
    assert not signature_is_valid(params, secret="other", method=method, now=now)
    assert not signature_is_valid(params, secret=SECRET, method=method, now=now + 86401)
    assert not signature_is_valid(
        {**params, "text": "STOP"}, secret=SECRET, method=method, now=now
    )


def signed(params, *, secret=SECRET):
    params = {**params, "timestamp": str(int(time.time())), "nonce": "n-1"}
    return {**params, "sig": signature(params, secret)}


def reply(text="STOP", **extra):
    payload = json.loads(recorded("vonage_inbound_sms.json.txt"))
    payload.pop("timestamp"), payload.pop("nonce")
    return {**payload, "text": text, **extra}


@pytest.mark.django_db
def test_a_signed_stop_withdraws_sms_consent_with_evidence_and_a_replay_changes_nothing(
    client, vonage_settings
):
    member = texter("a@example.com", "0502345678", channels=("sms", "whatsapp"))
    params = signed(reply("STOP"))
    assert client.post("/club/sms/vonage/inbound/", params).status_code == 204
    state = ConsentState.objects.get(user=member.user, channel="sms")
    assert state.status == ConsentState.WITHDRAWN
    record = state.last_record
    assert record.source == ConsentRecord.SOURCE_REPLY_REFUSAL
    assert record.evidence["provider"] == "vonage"
    assert record.evidence["provider_message_id"] == "0A0000000123ABCD1"
    assert record.evidence["number_hash"] == number_hash("+972502345678", "sms")
    assert consent.has_consent(member.user, purpose="marketing", channel="whatsapp")
    records = ConsentRecord.objects.count()
    assert client.get("/club/sms/vonage/inbound/", params).status_code == 204  # GET, replayed
    assert ConsentRecord.objects.count() == records


@pytest.mark.django_db
def test_a_hebrew_refusal_with_niqqud_as_signed_json_is_a_refusal(client, vonage_settings):
    member = texter("a@example.com", "0502345678")
    params = signed(reply("הֲסֵר!", type="unicode"))
    response = client.post(
        "/club/sms/vonage/inbound/", json.dumps(params, ensure_ascii=False),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 204
    assert not consent.has_consent(member.user, purpose="marketing", channel="sms")


@pytest.mark.django_db
@pytest.mark.parametrize("forge", ["unsigned", "other secret", "tampered", "stale"])
def test_an_unsigned_forged_tampered_or_stale_reply_is_403_and_changes_nothing(
    client, vonage_settings, forge
):
    member = texter("a@example.com", "0502345678")
    params = signed(reply("hello"), secret="not-the-secret" if forge == "other secret" else SECRET)
    if forge == "unsigned":
        params.pop("sig")
    elif forge == "tampered":
        params["text"] = "STOP"
    elif forge == "stale":
        params["timestamp"] = str(int(time.time()) - 2 * 86400)
        params["text"] = "STOP"
        params["sig"] = signature({k: v for k, v in params.items() if k != "sig"}, SECRET)
    assert client.post("/club/sms/vonage/inbound/", params).status_code == 403
    assert consent.has_consent(member.user, purpose="marketing", channel="sms")


@pytest.mark.django_db
def test_a_huge_body_or_a_missing_field_is_400(client, vonage_settings):
    member = texter("a@example.com", "0502345678")
    huge = signed(reply("STOP", udh="x" * 100_000))
    assert client.post("/club/sms/vonage/inbound/", huge).status_code == 400
    no_number = signed({k: v for k, v in reply("STOP").items() if k != "msisdn"})
    assert client.post("/club/sms/vonage/inbound/", no_number).status_code == 400
    broken = client.post("/club/sms/vonage/inbound/", "{", content_type="application/json")
    assert broken.status_code == 400
    assert consent.has_consent(member.user, purpose="marketing", channel="sms")


def receipt(**changes):
    payload = json.loads(recorded("vonage_delivery_receipt.json.txt"))
    return signed({**payload, **changes})


@pytest.mark.django_db
def test_a_permanent_failure_receipt_bounces_the_row_and_suppresses_the_number_on_sms_only(
    client, newsletter, vonage_settings
):
    texter("a@example.com", "0502345678", channels=("sms", "whatsapp"))
    send(newsletter)
    params = receipt(status="failed", **{"err-code": "9"})  # illegal number
    assert client.post("/club/sms/vonage/status/", params).status_code == 204
    assert client.post("/club/sms/vonage/status/", params).status_code == 204  # replay
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.BOUNCED and row.error == "failed 9"
    assert list(Suppression.objects.values_list("email_hash", flat=True)) == [
        number_hash("+972502345678", "sms")
    ]


@pytest.mark.django_db
def test_an_expired_or_phone_off_receipt_suppresses_nothing(client, newsletter, vonage_settings):
    texter("a@example.com", "0502345678")
    send(newsletter)
    for params in (receipt(status="expired"), receipt(status="failed", **{"err-code": "2"})):
        assert client.post("/club/sms/vonage/status/", params).status_code == 204
    assert OutboxMessage.objects.get().status == OutboxMessage.SENT
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_a_delivered_receipt_confirms_a_row_a_dead_worker_left_sending(
    client, newsletter, vonage_settings
):
    texter("a@example.com", "0502345678")
    fanout.fan_out(campaign(newsletter), now=NOON)
    OutboxMessage.objects.update(
        status=OutboxMessage.SENDING, esp_message_id=f"vonage:{MESSAGE_ID}"
    )
    assert client.get("/club/sms/vonage/status/", receipt()).status_code == 204
    assert OutboxMessage.objects.get().status == OutboxMessage.SENT


@pytest.mark.django_db
def test_an_unsigned_receipt_is_403_and_changes_nothing(client, newsletter, vonage_settings):
    texter("a@example.com", "0502345678")
    fanout.fan_out(campaign(newsletter), now=NOON)
    OutboxMessage.objects.update(
        status=OutboxMessage.SENDING, esp_message_id=f"vonage:{MESSAGE_ID}"
    )
    params = receipt(status="failed", **{"err-code": "9"})
    params.pop("sig")
    assert client.post("/club/sms/vonage/status/", params).status_code == 403
    assert OutboxMessage.objects.get().status == OutboxMessage.SENDING
    assert not Suppression.objects.exists()
