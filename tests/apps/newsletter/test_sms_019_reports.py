"""019's delivery reports, polled from a local server answering with recorded bodies."""

# ruff: noqa: F811 - the fixtures of test_sms_019, imported, are the tests' arguments

from datetime import timedelta
from io import StringIO
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.utils import timezone

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord, Suppression
from oscar_loyalty.apps.newsletter.channels import sms019_reports
from oscar_loyalty.apps.newsletter.channels.sms019 import Sms019Backend
from oscar_loyalty.apps.newsletter.channels.sms019_reports import poll_reports
from oscar_loyalty.apps.newsletter.models import OutboxMessage
from oscar_loyalty.phones import number_hash
from tests.apps.newsletter.sms_fixtures import recorded
from tests.apps.newsletter.test_channels import NOON, texter
from tests.apps.newsletter.test_sms_019 import (  # noqa: F401 - fixtures
    answer,
    provider,
    send,
    sent_xml,
    sms019_settings,
)

LATER = NOON + timedelta(hours=1)


def report(*pairs):
    """The recorded answer with (external id, status) of up to two transactions."""
    body = recorded("sms019_dlr_response.xml.txt")
    pairs = list(pairs) + [("not-ours-" + str(n), "0") for n in range(2 - len(pairs))]
    for n, (external_id, status) in enumerate(pairs, start=1):
        body = body.replace(f"ID{n}", external_id).replace(f"STATUS{n}", status)
    return (200, body, "application/xml")


def asked_ids(seen):
    return [e.text for e in ElementTree.fromstring(seen.body).iter("external_id")]  # noqa: S314


def external_id(member):
    row = OutboxMessage.objects.get(user=member.user)
    return row.esp_message_id.removeprefix("019:")


def two_sent(newsletter, provider):
    dana = texter("a@example.com", "0502345678")
    noa = texter("b@example.com", "0502345679")
    send(newsletter)
    provider.seen.clear()
    return dana, noa


def refusals():
    return ConsentRecord.objects.filter(
        action=ConsentRecord.WITHDRAW, source=ConsentRecord.SOURCE_REPLY_REFUSAL
    )


@pytest.mark.django_db
def test_sending_through_019_asks_it_to_handle_removal_replies(
    newsletter,
    sms019_settings,
    provider,
):
    texter("a@example.com", "0502345678")
    send(newsletter)
    assert sent_xml(provider.seen[0]).findtext("add_unsubscribe") == "2"


@pytest.mark.django_db
def test_a_poll_asks_for_the_rows_ids_and_settles_them_and_a_second_poll_changes_nothing(
    newsletter,
    sms019_settings,
    provider,
):
    dana, noa = two_sent(newsletter, provider)
    # A dead worker left Dana's row "sending": the delivered report confirms it.
    OutboxMessage.objects.filter(user=dana.user).update(
        status=OutboxMessage.SENDING, lease_until=NOON
    )
    provider.default = report((external_id(dana), "102"), (external_id(noa), "201"))

    totals = poll_reports(now=LATER)

    (seen,) = provider.seen
    assert seen.path == "/api" and seen.headers["Authorization"] == "Bearer tok-019"
    asked = ElementTree.fromstring(seen.body)  # noqa: S314 - our own request
    assert asked.tag == "dlr" and asked.findtext("user/username") == "shoes"
    assert sorted(e.text for e in asked.findall("transactions/external_id")) == sorted(
        [external_id(dana), external_id(noa)]
    )
    # Israel's local time, dd/mm/yy hh:mm, a minute inside the week.
    assert asked.findtext("from") == "01/12/26 13:01" and asked.findtext("to") == "08/12/26 13:00"
    assert totals == {"asked": 2, "delivered": 1, "bounced": 0, "refused": 1, "error": ""}
    assert OutboxMessage.objects.get(user=dana.user).status == OutboxMessage.SENT
    refused = OutboxMessage.objects.get(user=noa.user)
    assert refused.status == OutboxMessage.BOUNCED and "019's removal list" in refused.error
    noa_hash = number_hash("+972502345679", "sms")
    suppressed = Suppression.objects.filter(email_hash=noa_hash)
    assert suppressed.get().reason == Suppression.UNSUBSCRIBED
    assert not consent.has_consent(noa.user, purpose="marketing", channel="sms")
    assert consent.has_consent(dana.user, purpose="marketing", channel="sms")
    (record,) = refusals()
    assert record.channel == "sms" and record.evidence["number_hash"] == noa_hash
    assert record.evidence["provider"] == "019"
    assert record.evidence["via"] == "019's removal list (DLR status 201)"
    assert record.evidence["received_at"] == LATER.isoformat()
    assert record.evidence["answered"] == refused.message_ref

    before = list(OutboxMessage.objects.order_by("pk").values_list("status", "error"))
    again = poll_reports(now=LATER + timedelta(minutes=15))
    assert again["delivered"] == again["refused"] == again["bounced"] == 0
    assert list(OutboxMessage.objects.order_by("pk").values_list("status", "error")) == before
    assert refusals().count() == 1 and Suppression.objects.count() == 1
    # Only the row without a final report is asked about again.
    assert asked_ids(provider.seen[1]) == [external_id(dana)]


@pytest.mark.django_db
def test_a_kosher_number_bounces_and_is_suppressed_without_touching_consent(
    newsletter,
    sms019_settings,
    provider,
):
    dana, noa = two_sent(newsletter, provider)
    provider.default = report((external_id(dana), "15"), (external_id(noa), "-1"))
    totals = poll_reports(now=LATER)
    assert totals["bounced"] == 1 and totals["refused"] == 0
    assert OutboxMessage.objects.get(user=dana.user).status == OutboxMessage.BOUNCED
    # -1: sent, no delivery report yet. Asked again next time.
    assert OutboxMessage.objects.get(user=noa.user).status == OutboxMessage.SENT
    assert Suppression.objects.get().reason == Suppression.HARD_BOUNCE
    assert not refusals().exists()
    assert consent.has_consent(dana.user, purpose="marketing", channel="sms")


@pytest.mark.django_db
def test_ids_019_answers_that_were_not_asked_for_are_ignored(
    newsletter,
    sms019_settings,
    provider,
):
    dana, noa = two_sent(newsletter, provider)
    noa_id = external_id(noa)
    # Noa's id is not due (a week old): a report naming it must not touch her row.
    OutboxMessage.objects.filter(user=noa.user).update(sent_at=LATER - timedelta(days=8))
    provider.default = report(("ol999-ffffffffff", "201"), (noa_id, "201"))
    totals = poll_reports(now=LATER)
    assert asked_ids(provider.seen[0]) == [external_id(dana)]
    assert totals["refused"] == 0 and not refusals().exists()
    assert not Suppression.objects.exists()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.SENT}


@pytest.mark.django_db
@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_5xx_leaves_the_rows_for_the_next_poll(
    newsletter,
    sms019_settings,
    provider,
    status,
):
    dana, noa = two_sent(newsletter, provider)
    OutboxMessage.objects.filter(user=dana.user).update(
        status=OutboxMessage.SENDING, lease_until=NOON
    )
    provider.default = (status, "busy", "text/plain")
    totals = poll_reports(now=LATER)
    assert totals["asked"] == 0 and f"HTTP {status}" in totals["error"]
    assert OutboxMessage.objects.get(user=dana.user).status == OutboxMessage.SENDING

    provider.default = report((external_id(dana), "0"), (external_id(noa), "201"))
    totals = poll_reports(now=LATER + timedelta(minutes=15))
    assert totals["delivered"] == 1 and totals["refused"] == 1


@pytest.mark.django_db
def test_no_answer_leaves_the_rows_for_the_next_poll(newsletter, sms019_settings, provider):
    dana, noa = two_sent(newsletter, provider)
    backend = Sms019Backend(username="shoes", token="t", base_url="http://127.0.0.1:9")
    totals = poll_reports(now=LATER, backend=backend)
    assert totals["asked"] == 0 and totals["error"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.SENT}
    assert not Suppression.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        '<?xml version="1.0"?><!DOCTYPE dlr [<!ENTITY x "201">]>'
        "<dlr><transactions><transaction><external_id>ID</external_id>"
        "<status>&x;</status></transaction></transactions></dlr>",
        '<!DOCTYPE dlr SYSTEM "http://127.0.0.1:9/evil.dtd"><dlr/>',
        "<html>not xml",
        '<?xml version="1.0"?><dlr><status>3</status><message>Username or password is '
        "incorrect</message></dlr>",
    ],
    ids=["entity", "external-dtd", "not-xml", "refused"],
)
def test_a_hostile_unreadable_or_refused_answer_changes_nothing(
    newsletter,
    sms019_settings,
    provider,
    body,
):
    dana, noa = two_sent(newsletter, provider)
    provider.default = (200, body.replace("ID", external_id(noa)), "application/xml")
    totals = poll_reports(now=LATER)
    assert totals["error"] and totals["refused"] == 0
    assert not Suppression.objects.exists() and not refusals().exists()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.SENT}


@pytest.mark.django_db
def test_ids_go_in_batches_of_at_most_the_limit(
    newsletter,
    sms019_settings,
    provider,
    monkeypatch,
):
    dana, noa = two_sent(newsletter, provider)
    monkeypatch.setattr(sms019_reports, "MAX_IDS", 1)  # 1000 in production
    provider.default = report((external_id(dana), "0"), (external_id(noa), "0"))
    totals = poll_reports(now=LATER)
    assert len(provider.seen) == 2 and totals["asked"] == 2
    assert [len(asked_ids(seen)) for seen in provider.seen] == [1, 1]


@pytest.mark.django_db
def test_a_hebrew_answer_is_read(newsletter, sms019_settings, provider):
    dana, noa = two_sent(newsletter, provider)
    status, body, content_type = report((external_id(dana), "17"))
    assert "נחסם לפי בקשה" in body and "הגיע ליעד" in body
    provider.default = (status, body, content_type)
    assert poll_reports(now=LATER)["refused"] == 1
    assert not consent.has_consent(dana.user, purpose="marketing", channel="sms")


@pytest.mark.django_db
def test_a_refusal_for_a_number_the_member_no_longer_has_keeps_the_new_numbers_consent(
    newsletter,
    sms019_settings,
    provider,
):
    dana, noa = two_sent(newsletter, provider)
    old_id = external_id(dana)
    dana.phone = "+972502345670"
    dana.save(update_fields=["phone"])
    provider.default = report((old_id, "201"))
    assert poll_reports(now=LATER)["refused"] == 1
    assert Suppression.objects.filter(email_hash=number_hash("+972502345678", "sms")).exists()
    assert not refusals().exists()


@pytest.mark.django_db
def test_the_command_polls_and_says_what_it_did(newsletter, sms019_settings, provider):
    dana, noa = two_sent(newsletter, provider)
    OutboxMessage.objects.update(sent_at=timezone.now())  # the command polls at the clock's now
    provider.default = report((external_id(dana), "102"), (external_id(noa), "201"))
    out = StringIO()
    call_command("loyalty_poll_sms_reports", stdout=out)
    assert out.getvalue().strip() == "019: asked 2, delivered 0, bounced 0, refused 1"
    assert len(provider.seen) == 1


@pytest.mark.django_db
def test_without_019_configured_the_poll_asks_nothing(settings, provider):
    settings.OSCAR_LOYALTY_SMS_BACKEND = {
        "BACKEND": "oscar_loyalty.apps.newsletter.channels.test.TestBackend"
    }
    assert poll_reports(now=LATER)["asked"] == 0 and provider.seen == []


def test_the_request_is_019s_documented_dlr_request():
    backend = Sms019Backend(username="shoes", token="t")
    ids = ["ol1-3f2a9c0d1e", "ol2-3f2a9c0d1e"]
    built = sms019_reports.build_request(backend, ids, now=NOON)
    assert built == recorded("sms019_dlr_request.xml.txt")


@pytest.mark.django_db
def test_a_send_019_refuses_for_its_blocked_list_is_recorded_as_a_refusal_once(
    newsletter, sms019_settings, provider
):
    texter("a@example.com", "0502345678", first_name="Dana")
    noa = texter("b@example.com", "0502345679", first_name="Noa")
    provider.answer = lambda seen: (
        answer("8", "All numbers are on a blocked list")
        if sent_xml(seen).findtext("destinations/phone") == "0502345679"
        else None
    )
    send(newsletter, text="{first_name}: מבצע")  # a text per member: a request each
    row = OutboxMessage.objects.get(user=noa.user)
    assert row.status == OutboxMessage.FAILED and row.error.startswith("8: ")
    assert consent.has_consent(noa.user, purpose="marketing", channel="sms")

    provider.answer, provider.default = None, report()
    assert poll_reports(now=LATER)["refused"] == 1
    row.refresh_from_db()
    assert row.status == OutboxMessage.BOUNCED
    assert not consent.has_consent(noa.user, purpose="marketing", channel="sms")
    (record,) = refusals()
    assert record.evidence["via"] == "019's removal list (send status 8)"
    assert record.evidence["answered"] == row.message_ref
    assert poll_reports(now=LATER + timedelta(minutes=15))["refused"] == 0
    assert refusals().count() == 1
