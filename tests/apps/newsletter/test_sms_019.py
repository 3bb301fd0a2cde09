"""019's XML API against a local server answering with recorded bodies."""

from xml.etree import ElementTree

import pytest

from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.channels import ChannelMessage
from oscar_loyalty.apps.newsletter.channels.sms019 import Sms019Backend
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from tests.apps.newsletter.sms_fixtures import recorded
from tests.apps.newsletter.sms_server import serve
from tests.apps.newsletter.test_channels import NOON, texter


def answer(status="0", text="SMS will be sent"):
    body = recorded("sms019_response.xml.txt").replace("STATUS", status).replace("TEXT", text)
    return (200, body, "application/xml")


def sent_xml(seen):
    return ElementTree.fromstring(seen.body)  # noqa: S314 - our own request


@pytest.fixture
def provider():
    yield from serve()


@pytest.fixture
def sms019_settings(settings, provider):
    provider.default = answer()
    settings.OSCAR_LOYALTY_SMS_BACKEND = {
        "BACKEND": "oscar_loyalty.apps.newsletter.channels.sms019.Sms019Backend",
        "OPTIONS": {"username": "shoes", "token": "tok-019", "source": "ShoesCo",
                    "base_url": provider.url},
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


@pytest.mark.django_db
def test_one_text_goes_to_many_destinations_each_tagged_with_the_rows_id(
    newsletter, sms019_settings, provider
):
    texter("a@example.com", "0502345678")
    texter("b@example.com", "0502345679")
    send(newsletter)
    (seen,) = provider.seen
    assert seen.path == "/api" and seen.headers["Authorization"] == "Bearer tok-019"
    assert seen.headers["Content-Type"].startswith("application/xml")
    assert seen.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?><sms>')
    xml = sent_xml(seen)
    assert xml.findtext("user/username") == "shoes" and xml.findtext("source") == "ShoesCo"
    assert xml.findtext("message").startswith("פרסומת - Shoes & Co: מבצע חורף")
    phones = {p.get("id"): p.text for p in xml.findall("destinations/phone")}
    assert sorted(phones.values()) == ["0502345678", "0502345679"]
    rows = OutboxMessage.objects.order_by("pk")
    assert {r.status for r in rows} == {OutboxMessage.SENT}
    assert {r.esp_message_id.removeprefix("019:") for r in rows} == set(phones)
    assert all(r.esp_message_id.startswith(f"019:ol{r.pk}-") for r in rows)


@pytest.mark.django_db
def test_a_refused_request_fails_only_its_own_messages(newsletter, sms019_settings, provider):
    texter("a@example.com", "0502345678", first_name="Dana")
    refused = texter("b@example.com", "0502345679", first_name="Noa")
    provider.answer = lambda seen: (
        answer("5", "Illegal destination")
        if sent_xml(seen).findtext("destinations/phone") == "0502345679"
        else None
    )
    send(newsletter, text="{first_name}: מבצע")  # a text per member: a request each
    row = OutboxMessage.objects.get(user=refused.user)
    assert row.status == OutboxMessage.FAILED and row.error == "5: Illegal destination"
    assert OutboxMessage.objects.exclude(pk=row.pk).get().status == OutboxMessage.SENT


@pytest.mark.django_db
@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_5xx_or_429_puts_the_chunk_back(newsletter, sms019_settings, provider, status):
    texter("a@example.com", "0502345678")
    provider.default = (status, "busy", "text/plain")
    send(newsletter)
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.PENDING and row.next_attempt_at > NOON


@pytest.mark.django_db
def test_no_answer_or_an_unreadable_one_leaves_the_rows_for_the_lease(
    newsletter, sms019_settings, provider
):
    texter("a@example.com", "0502345678")
    provider.default = (200, "<html>", "text/html")
    send(newsletter)
    assert OutboxMessage.objects.get().status == OutboxMessage.SENDING


def test_an_unreachable_provider_is_no_answer():
    backend = Sms019Backend(base_url="http://127.0.0.1:9")
    statuses = None
    with pytest.raises(Exception) as caught:
        statuses = backend.send_messages([ChannelMessage(ref="1", to="+972502345678", body="x")])
    assert statuses is None and caught.value.status_code is None
