"""InforU's XML API against a local server with recorded answers; its secret-URL webhooks."""

import json
from urllib.parse import parse_qs
from xml.etree import ElementTree

import pytest

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState, Suppression
from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.channels.inforu import local_number
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from oscar_loyalty.phones import number_hash
from tests.apps.newsletter.sms_fixtures import recorded
from tests.apps.newsletter.sms_server import serve
from tests.apps.newsletter.test_channels import NOON, texter

SECRET = "k3Yb-webhook-secret"


def result(status="1", text="Message accepted successfully", count="1"):
    body = recorded("inforu_result.xml.txt")
    body = body.replace("STATUS", status).replace("TEXT", text).replace("COUNT", count)
    return (200, body, "text/xml")


def sent_xml(seen) -> ElementTree.Element:
    return ElementTree.fromstring(parse_qs(seen.body.decode())["InforuXML"][0])  # noqa: S314


@pytest.fixture
def provider():
    yield from serve()


@pytest.fixture
def inforu_settings(settings, provider):
    provider.default = result()
    settings.OSCAR_LOYALTY_SMS_BACKEND = {
        "BACKEND": "oscar_loyalty.apps.newsletter.channels.inforu.InforuBackend",
        "OPTIONS": {
            "username": "shoes", "password": "api-token", "sender": "ShoesCo",
            "delivery_notification_url": f"https://shop.example/club/sms/inforu/{SECRET}/status/",
            "webhook_secret": SECRET, "base_url": provider.url,
        },
    }  # fmt: skip
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2000-01-01"]
    settings.OSCAR_LOYALTY_SMS_SENDER_NAME = "Shoes & Co"
    return settings


def send(newsletter, text="מבצע חורף: 20% הנחה"):
    campaign = Campaign.objects.create(
        name="c", newsletter=newsletter, channels=["sms"], sms_text=text
    )
    fanout.fan_out(campaign, now=NOON)
    sending.process_campaign(campaign.pk, now=NOON)
    return campaign


@pytest.mark.django_db
def test_one_text_for_a_chunk_is_one_request_and_each_row_keeps_its_own_id(
    newsletter, inforu_settings, provider
):
    texter("a@example.com", "0502345678")
    texter("b@example.com", "0502345679")
    send(newsletter)
    (seen,) = provider.seen
    assert seen.path == "/SendMessageXml.ashx"
    xml = sent_xml(seen)
    assert xml.findtext("User/Username") == "shoes"
    assert xml.findtext("User/Password") == "api-token"
    assert xml.find("Content").get("Type") == "sms"
    assert xml.findtext("Content/Message").startswith("פרסומת - Shoes & Co: מבצע חורף")
    assert xml.findtext("Content/Message").endswith("להסרה השב הסר")
    numbers = xml.findtext("Recipients/PhoneNumber").split(";")
    assert sorted(numbers) == ["0502345678", "0502345679"]
    assert xml.findtext("Settings/Sender") == "ShoesCo"
    assert xml.findtext("Settings/DeliveryNotificationUrl").endswith(f"/{SECRET}/status/")
    customer_id = xml.findtext("Settings/CustomerMessageId")
    ids = set(OutboxMessage.objects.values_list("esp_message_id", flat=True))
    assert ids == {f"inforu:{customer_id}/+972502345678", f"inforu:{customer_id}/+972502345679"}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.SENT}


@pytest.mark.django_db
def test_a_number_inforu_finds_invalid_fails_alone(newsletter, inforu_settings, provider):
    texter("a@example.com", "0502345678", first_name="Dana")
    bad = texter("b@example.com", "0502345679", first_name="Noa")
    provider.answer = lambda seen: (
        result("-18", "No valid recipients", "0")
        if sent_xml(seen).findtext("Recipients/PhoneNumber") == "0502345679"
        else None
    )
    send(newsletter, text="{first_name}, מבצע!")  # one text per member: one request each
    assert len(provider.seen) == 2
    failed = OutboxMessage.objects.get(user=bad.user)
    assert failed.status == OutboxMessage.FAILED and "-18" in failed.error
    assert OutboxMessage.objects.exclude(pk=failed.pk).get().status == OutboxMessage.SENT


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer", [(500, "Server Error", "text/plain"), result("-13", "UserQuotaExceeded", "0")]
)
def test_a_5xx_or_an_exhausted_quota_puts_the_chunk_back(
    newsletter, inforu_settings, provider, answer
):
    texter("a@example.com", "0502345678")
    provider.default = answer
    send(newsletter)
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.PENDING and row.next_attempt_at > NOON


@pytest.mark.django_db
def test_bad_credentials_fail_the_chunk(newsletter, inforu_settings, provider):
    texter("a@example.com", "0502345678")
    provider.default = result("-2", "Bad user name or password", "0")
    send(newsletter)
    assert OutboxMessage.objects.get().status == OutboxMessage.FAILED


@pytest.mark.django_db
def test_an_unreadable_answer_is_treated_like_no_answer(newsletter, inforu_settings, provider):
    texter("a@example.com", "0502345678")
    provider.default = (200, "<html>maintenance", "text/html")
    send(newsletter)
    assert OutboxMessage.objects.get().status == OutboxMessage.SENDING


def test_israeli_numbers_go_in_local_form():
    assert local_number("+972502345678") == "0502345678"
    assert local_number("+447700900000") == "447700900000"


def notification(**changes):
    return {**json.loads(recorded("inforu_delivery_notification.json.txt")), **changes}


def status_url(token=SECRET):
    return f"/club/sms/inforu/{token}/status/"


def inbound_url(token=SECRET):
    return f"/club/sms/inforu/{token}/inbound/"


def sent_row(newsletter, provider):
    texter("a@example.com", "0502345678", channels=("sms", "whatsapp"))
    send(newsletter)
    customer_id = sent_xml(provider.seen[0]).findtext("Settings/CustomerMessageId")
    return OutboxMessage.objects.get(), customer_id


@pytest.mark.django_db
def test_a_blocked_notification_bounces_the_row_and_suppresses_sms_only_once(
    client, newsletter, inforu_settings, provider
):
    row, customer_id = sent_row(newsletter, provider)
    params = notification(Status="-4", StatusDescription="Hasum", CustomerMessageId=customer_id)
    assert client.post(status_url(), params).status_code == 200
    assert client.post(status_url(), params).status_code == 200  # InforU retries; a replay
    row.refresh_from_db()
    assert row.status == OutboxMessage.BOUNCED and row.error == "-4 Hasum"
    assert list(Suppression.objects.values_list("email_hash", flat=True)) == [
        number_hash("+972502345678", "sms")
    ]


@pytest.mark.django_db
def test_a_not_received_notification_suppresses_nothing(
    client, newsletter, inforu_settings, provider
):
    row, customer_id = sent_row(newsletter, provider)
    params = notification(
        Status="-2", StatusDescription="Not received", CustomerMessageId=customer_id
    )
    assert client.post(status_url(), params).status_code == 200
    row.refresh_from_db()
    assert row.status == OutboxMessage.SENT and not Suppression.objects.exists()


@pytest.mark.django_db
def test_a_delivered_notification_confirms_a_row_left_sending(
    client, newsletter, inforu_settings, provider
):
    row, customer_id = sent_row(newsletter, provider)
    OutboxMessage.objects.update(status=OutboxMessage.SENDING)
    params = notification(CustomerMessageId=customer_id)
    assert client.get(status_url(), params).status_code == 200  # an account set to GET
    row.refresh_from_db()
    assert row.status == OutboxMessage.SENT


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["wrong-secret", SECRET[:-1], "x" * 300])
def test_a_notification_without_the_secret_is_403_and_changes_nothing(
    client, newsletter, inforu_settings, provider, token
):
    row, customer_id = sent_row(newsletter, provider)
    params = notification(Status="-4", CustomerMessageId=customer_id)
    assert client.post(status_url(token), params).status_code == 403
    row.refresh_from_db()
    assert row.status == OutboxMessage.SENT and not Suppression.objects.exists()


@pytest.mark.django_db
def test_without_a_configured_secret_the_webhooks_answer_403(client, inforu_settings):
    inforu_settings.OSCAR_LOYALTY_SMS_BACKEND["OPTIONS"]["webhook_secret"] = ""
    assert client.post(status_url(""), notification()).status_code == 404  # no route
    assert client.post(status_url("anything"), notification()).status_code == 403


def incoming(text):
    return {"IncomingXML": recorded("inforu_incoming.xml.txt").replace("MESSAGE", text)}


@pytest.mark.django_db
def test_a_hasser_reply_with_niqqud_withdraws_sms_consent_once(client, inforu_settings):
    member = texter("a@example.com", "0502345678", channels=("sms", "whatsapp"))
    assert client.post(inbound_url(), incoming("הֲסֵר")).status_code == 200
    state = ConsentState.objects.get(user=member.user, channel="sms")
    assert state.status == ConsentState.WITHDRAWN
    assert state.last_record.evidence["provider"] == "inforu"
    assert state.last_record.evidence["reply"] == "הֲסֵר"
    assert consent.has_consent(member.user, purpose="marketing", channel="whatsapp")
    records = ConsentRecord.objects.count()
    assert client.post(inbound_url(), incoming("הֲסֵר")).status_code == 200
    assert ConsentRecord.objects.count() == records


@pytest.mark.django_db
def test_a_reply_with_a_wrong_secret_changes_nothing(client, inforu_settings):
    member = texter("a@example.com", "0502345678")
    assert client.post(inbound_url("nope"), incoming("STOP")).status_code == 403
    assert consent.has_consent(member.user, purpose="marketing", channel="sms")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"IncomingXML": "<IncomingData><Message>STOP</Message></IncomingData>"},
        {"IncomingXML": "<IncomingData><PhoneNumber>0502345678"},
        {"IncomingXML": '<!DOCTYPE x [<!ENTITY a "STOP">]><IncomingData><PhoneNumber>'
                        "0502345678</PhoneNumber><Message>&a;</Message></IncomingData>"},
        {"IncomingXML": "x" * 100_000},
    ],
    ids=["empty", "no number", "broken XML", "entity", "huge"],
)  # fmt: skip
def test_a_reply_that_cannot_be_read_is_400_and_changes_nothing(client, inforu_settings, params):
    member = texter("a@example.com", "0502345678")
    assert client.post(inbound_url(), params).status_code == 400
    assert consent.has_consent(member.user, purpose="marketing", channel="sms")


@pytest.mark.django_db
def test_a_notification_missing_a_field_is_400(client, inforu_settings):
    params = notification()
    params.pop("CustomerMessageId")
    assert client.post(status_url(), params).status_code == 400
