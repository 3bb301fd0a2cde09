"""Member notices by SMS and WhatsApp through the one outbox, or by email (docs/sms.md)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from oscar_loyalty import app_settings, notices
from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord, Suppression
from oscar_loyalty.apps.newsletter import notices as outbox_notices
from oscar_loyalty.apps.newsletter import sending
from oscar_loyalty.apps.newsletter.channels import inbound
from oscar_loyalty.apps.newsletter.channels import test as test_backend
from oscar_loyalty.apps.newsletter.models import OutboxMessage
from oscar_loyalty.phones import number_hash
from tests.apps.newsletter.conftest import make_member

NUMBER = "+972527654301"
SERVICE = ("points_earned", "draw_won")
ADVERTISING = ("points_expiring", "birthday", "referral_reward")
KINDS = SERVICE + ADVERTISING
END = datetime(2026, 12, 31, 22, 0, tzinfo=UTC)


class WorkerKilled(Exception):
    pass


def context(kind):
    voucher = SimpleNamespace(
        code="BDAY-7Q2", start_datetime=END, end_datetime=END, __str__=lambda self: "BDAY-7Q2"
    )
    return {
        "points_earned": {"points": 120, "order": SimpleNamespace(number="100042")},
        "points_expiring": {"points": 300, "value": D("30.00"), "expires_at": END, "balance": 450},
        "birthday": {"gift": None, "voucher": voucher, "shop_name": "Shoes & Co"},
        "draw_won": {
            "winner": SimpleNamespace(draw=SimpleNamespace(name="Winter", prize="Boots"))
        },
        "referral_reward": {"referral": None, "points": 50, "voucher": None},
    }[kind]


EXPECTED = {
    "points_earned": "You earned 120 club points on order 100042.",
    "points_expiring": "300 club points (worth ₪30.00) expire on",
    "birthday": "Your gift: the voucher BDAY-7Q2",
    "draw_won": "You won the prize draw “Winter”: Boots.",
    "referral_reward": "A friend you invited joined the club",
}


@pytest.fixture(autouse=True)
def _channels(settings):
    test_backend.reset()
    settings.OSCAR_LOYALTY_SMS_SENDER_NAME = "Shoes & Co"
    # Quiet hours have their own test: elsewhere the wall clock must not matter.
    settings.OSCAR_LOYALTY_QUIET_HOURS = None
    settings.OSCAR_LOYALTY_QUIET_SHABBAT = False
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2000-01-01"]
    settings.OSCAR_LOYALTY_SENDER_NAME = "Shoes & Co"
    settings.OSCAR_LOYALTY_SENDER_ADDRESS = "1 Herzl St, Tel Aviv"
    settings.OSCAR_LOYALTY_SENDER_CONTACT = "club@shoes.example"
    yield
    test_backend.reset()


def member(*, channel="sms", phone=NUMBER, sms_consent=True, email_consent=True):
    member = make_member(
        "dana@example.com",
        consenting=email_consent,
        first_name="Dana",
        phone=phone,
        notice_channel=channel,
    )
    if sms_consent:
        for name in ("sms", "whatsapp"):
            consent.record_consent(
                member.user,
                purpose="marketing",
                channel=name,
                action=ConsentRecord.GRANT,
                source=ConsentRecord.SOURCE_PREFERENCES,
            )
    return member


def texts():
    return [m.body for call in test_backend.outbox for m in call["messages"]]


def soon(minutes=1):
    return timezone.now() + timedelta(minutes=minutes)


def send(member, kind, key=None):
    return notices.send_member_notice(
        member, notice_type=kind, context=context(kind), key=key or f"{kind}:1"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_each_notice_goes_by_sms_when_the_member_prefers_it(db, kind):
    dana = member()
    assert send(dana, kind)
    outbox_notices.process_notices(now=soon())
    (text,) = texts()
    assert EXPECTED[kind] in text
    assert mail.outbox == []
    row = OutboxMessage.objects.get()
    assert (row.campaign, row.channel, row.notice, row.status) == (None, "sms", kind, "sent")
    assert row.email_hash == number_hash(NUMBER, "sms")


@pytest.mark.parametrize("kind", KINDS)
def test_each_notice_goes_by_email_when_the_member_prefers_email(db, kind):
    dana = member(channel="email")
    assert send(dana, kind)
    assert [m.to for m in mail.outbox] == [["dana@example.com"]]
    assert not OutboxMessage.objects.exists()
    outbox_notices.process_notices(now=soon())
    assert texts() == []


@pytest.mark.parametrize("kind", ADVERTISING)
def test_an_advertising_notice_carries_the_word_the_store_and_the_refusal(db, kind):
    send(member(), kind)
    outbox_notices.process_notices(now=soon())
    (text,) = texts()
    assert text.startswith("פרסומת - Shoes & Co: ")
    assert text.endswith("\n" + app_settings.SMS_REFUSAL_TEXT)


@pytest.mark.parametrize("kind", SERVICE)
def test_a_service_notice_is_signed_by_the_store_and_is_no_advertisement(db, kind):
    send(member(), kind)
    outbox_notices.process_notices(now=soon())
    (text,) = texts()
    assert text.startswith("Shoes & Co: ") and "פרסומת" not in text


@pytest.mark.parametrize("kind", ADVERTISING)
def test_an_advertising_notice_without_sms_consent_goes_by_email_instead(db, kind):
    dana = member(sms_consent=False)
    assert send(dana, kind)
    assert not OutboxMessage.objects.exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("פרסומת")


@pytest.mark.parametrize("kind", SERVICE)
def test_a_service_notice_needs_no_advertising_consent(db, kind):
    send(member(sms_consent=False, email_consent=False), kind)
    outbox_notices.process_notices(now=soon())
    assert len(texts()) == 1 and mail.outbox == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_member_who_prefers_sms_without_a_number_gets_the_email(db, kind):
    send(member(phone=""), kind)
    assert not OutboxMessage.objects.exists()
    assert [m.to for m in mail.outbox] == [["dana@example.com"]]


def test_whatsapp_is_a_notice_channel_with_an_approved_template_per_type(db, settings):
    dana = member(channel="whatsapp")
    send(dana, "points_earned", key="a")  # no template for the type: by email
    assert not OutboxMessage.objects.exists() and len(mail.outbox) == 1
    settings.OSCAR_LOYALTY_WHATSAPP_NOTICE_TEMPLATES = {"draw_won": "club_draw_won"}
    send(dana, "draw_won", key="b")
    outbox_notices.process_notices(now=soon())
    assert OutboxMessage.objects.get().channel == "whatsapp"
    (message,) = [m for call in test_backend.outbox for m in call["messages"]]
    assert message.template == "club_draw_won"
    assert message.parameters == [OutboxMessage.objects.get().body]


def test_a_notice_queued_twice_under_its_key_is_sent_once(db):
    dana = member()
    # A task retried, or a crash between queuing and the caller's own record.
    assert send(dana, "draw_won", key="draw_won:7")
    assert send(dana, "draw_won", key="draw_won:7")
    outbox_notices.process_notices(now=soon())
    assert len(texts()) == 1 and mail.outbox == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("step", ["claimed", "sending", "sent"])
def test_a_worker_killed_at_any_step_sends_the_notice_once(db, monkeypatch, kind, step):
    dana = member()
    send(dana, kind)
    state = {"armed": True}

    def checkpoint(name):
        if name == step and state["armed"]:
            state["armed"] = False
            raise WorkerKilled(step)

    monkeypatch.setattr(sending, "checkpoint", checkpoint)
    now = soon()
    with pytest.raises(WorkerKilled):
        outbox_notices.process_notices(now=now)
    if step == "sent":
        # The provider had it: its delivery report confirms the row, as for campaigns.
        row = OutboxMessage.objects.get()
        assert row.status == OutboxMessage.SENDING
        (message,) = [m for call in test_backend.outbox for m in call["messages"]]
        OutboxMessage.objects.filter(pk=row.pk).update(esp_message_id="test:abc")
        inbound.receive_report(
            channel="sms", provider="test", message_id="abc", outcome=inbound.DELIVERED
        )
    later = now + timedelta(seconds=app_settings.NEWSLETTER_LEASE_SECONDS + 1)
    outbox_notices.process_notices(now=later)
    assert len(texts()) == 1
    assert OutboxMessage.objects.get().status == OutboxMessage.SENT
    assert mail.outbox == []


def test_a_worker_killed_after_the_provider_call_without_a_report_resends_once(db, monkeypatch):
    send(member(), "points_earned")
    state = {"armed": True}

    def checkpoint(name):
        if name == "sent" and state["armed"]:
            state["armed"] = False
            raise WorkerKilled(name)

    monkeypatch.setattr(sending, "checkpoint", checkpoint)
    now = soon()
    with pytest.raises(WorkerKilled):
        outbox_notices.process_notices(now=now)
    outbox_notices.process_notices(now=now + timedelta(seconds=5))  # within the lease: nothing
    assert len(texts()) == 1
    later = now + timedelta(seconds=app_settings.NEWSLETTER_LEASE_SECONDS + 1)
    outbox_notices.process_notices(now=later)
    outbox_notices.process_notices(now=later + timedelta(hours=1))
    assert len(texts()) == 2  # the outbox's bound: the one batch in flight, once
    assert OutboxMessage.objects.get().status == OutboxMessage.SENT


@pytest.mark.parametrize("kind", KINDS)
def test_a_refusal_by_reply_stops_the_next_sms_notice_which_goes_by_email(db, kind):
    dana = member()
    send(dana, "draw_won", key="draw_won:1")
    outbox_notices.process_notices(now=soon())
    inbound.receive_reply(channel="sms", number=NUMBER, text="הסר", provider="test")
    dana.refresh_from_db()
    assert dana.notice_channel == "email"
    send(dana, kind, key=f"{kind}:2")
    outbox_notices.process_notices(now=soon(2))
    assert len(texts()) == 1  # only the one before the refusal
    assert [m.to for m in mail.outbox] == [["dana@example.com"]]


@pytest.mark.parametrize("kind", KINDS)
def test_a_refusal_after_queuing_is_honoured_before_the_provider_call(db, monkeypatch, kind):
    dana = member()
    send(dana, kind)

    def checkpoint(name):
        if name == "sending":
            inbound.receive_reply(channel="sms", number=NUMBER, text="STOP", provider="test")

    monkeypatch.setattr(sending, "checkpoint", checkpoint)
    outbox_notices.process_notices(now=soon())
    assert texts() == []
    assert OutboxMessage.objects.get().status == OutboxMessage.SKIPPED


def test_a_number_suppressed_on_sms_gets_no_sms_notice(db):
    dana = member()
    Suppression.objects.create(
        email_hash=number_hash(NUMBER, "sms"),
        scope=Suppression.MARKETING,
        reason=Suppression.HARD_BOUNCE,
    )
    send(dana, "points_earned")
    assert not OutboxMessage.objects.exists()
    assert len(mail.outbox) == 1


def test_a_number_changed_after_queuing_is_not_texted(db):
    dana = member()
    send(dana, "points_earned")
    dana.phone = "+972527654399"
    dana.save()
    outbox_notices.process_notices(now=soon())
    assert texts() == [] and OutboxMessage.objects.get().status == OutboxMessage.SKIPPED


def test_a_notice_waits_for_the_morning_unless_its_type_is_urgent(db, settings):
    settings.OSCAR_LOYALTY_QUIET_HOURS = ("20:00", "08:00")
    night = datetime(2026, 12, 8, 21, 30, tzinfo=UTC)  # 23:30 in Israel
    dana = member()
    for kind, key in (("draw_won", "a"), ("points_earned", "b")):
        outbox_notices.queue_notice(
            dana, notice=kind, channel="sms", text="x", key=key, advertising=False, now=night
        )
    settings.OSCAR_LOYALTY_NOTICE_URGENT_TYPES = ["points_earned"]
    outbox_notices.queue_notice(
        dana,
        notice="points_earned",
        channel="sms",
        text="y",
        key="c",
        advertising=False,
        now=night,
    )
    morning = datetime(2026, 12, 9, 6, 0, tzinfo=UTC)  # 08:00 in Israel
    due = dict(OutboxMessage.objects.values_list("notice_key", "next_attempt_at"))
    assert due == {"a": morning, "b": morning, "c": night}
    outbox_notices.process_notices(now=night + timedelta(minutes=1))
    assert texts() == ["Shoes & Co: y"]
    outbox_notices.process_notices(now=morning)
    assert len(texts()) == 3


def test_without_the_newsletter_app_a_member_who_prefers_sms_gets_the_email(db, monkeypatch):
    dana = member()
    monkeypatch.setattr(notices, "_channel_sender", None)  # the app is not installed
    assert send(dana, "draw_won")
    assert not OutboxMessage.objects.exists()
    assert len(mail.outbox) == 1


def test_a_real_draw_result_goes_by_sms_to_a_member_who_prefers_it(db):
    from oscar_loyalty.apps.offers.draws import notify_winners
    from oscar_loyalty.apps.offers.models import DrawWinner, PrizeDraw

    dana = member()
    draw = PrizeDraw.objects.create(name="Winter", prize="Boots")
    DrawWinner.objects.create(draw=draw, member=dana, position=1)
    assert notify_winners(draw.pk) == 1
    assert notify_winners(draw.pk) == 0  # told once
    outbox_notices.process_notices(now=soon())
    (text,) = texts()
    assert "You won the prize draw “Winter”: Boots." in text and mail.outbox == []


def test_a_hebrew_speaking_member_gets_the_notice_in_hebrew(db):
    dana = member()
    dana.language = "he"
    dana.save()
    send(dana, "points_expiring")
    outbox_notices.process_notices(now=soon())
    (text,) = texts()
    assert text.startswith("פרסומת - Shoes & Co: 300 נקודות מועדון")
    assert "נצלו אותן בהזמנה הבאה" in text


def test_erasure_forgets_a_notices_text_and_the_export_shows_it(db):
    from oscar_loyalty.apps.newsletter.privacy import erase_newsletter, export_newsletter

    dana = member()
    dana.language = "en"
    dana.save()
    send(dana, "birthday")
    subject = SimpleNamespace(user=dana.user)
    (exported,) = export_newsletter(subject)["messages"]
    assert exported["notice"] == "birthday" and "BDAY-7Q2" in exported["text"]
    assert exported["campaign"] is None
    assert erase_newsletter(subject) == 1
    row = OutboxMessage.objects.get()
    assert (row.user_id, row.body) == (None, "")
