"""SMS and WhatsApp through the one outbox: same states, same crash recovery, same gate."""

from datetime import UTC, datetime, timedelta

import pytest

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord, Suppression
from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.channels import ChannelAPIError, RecipientStatus
from oscar_loyalty.apps.newsletter.channels import test as test_backend
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from oscar_loyalty.exceptions import EmptyAudience
from oscar_loyalty.phones import number_hash
from tests.apps.newsletter.conftest import make_member

# Tuesday 8 December 2026, 12:00 in Israel: no quiet hours.
NOON = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


class WorkerKilled(Exception):
    pass


@pytest.fixture(autouse=True)
def _test_backends(settings):
    test_backend.reset()
    settings.OSCAR_LOYALTY_SMS_SENDER_NAME = "Shoes & Co"
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2026-12-25"]
    yield
    test_backend.reset()


def texter(email, phone, *, channels=("sms",), first_name=""):
    member = make_member(email, consenting=False, first_name=first_name, phone=phone)
    for channel in channels:
        consent.record_consent(
            member.user,
            purpose="marketing",
            channel=channel,
            action=ConsentRecord.GRANT,
            source=ConsentRecord.SOURCE_PREFERENCES,
        )
    return member


def sent_to():
    return sorted(m.to for call in test_backend.outbox for m in call["messages"])


@pytest.fixture
def sms_campaign(newsletter):
    return Campaign.objects.create(
        name="Sale", newsletter=newsletter, channels=["sms"], sms_text="Sale for {first_name}!"
    )


def test_one_campaign_goes_out_on_email_sms_and_whatsapp_through_one_outbox(newsletter):
    from django.core import mail

    mail.outbox = []
    make_member("only-email@example.com")
    texter("both@example.com", "052-765-4321", channels=("sms", "whatsapp"), first_name="Dana")
    campaign = Campaign.objects.create(
        name="All", newsletter=newsletter, channels=["email", "sms", "whatsapp"],
        sms_text="20% off boots", whatsapp_template="autumn_sale",
    )  # fmt: skip
    assert fanout.fan_out(campaign, now=NOON) == 3
    totals = sending.process_campaign(campaign.pk, now=NOON)

    assert totals["sent"] == 3
    assert [m.to for m in mail.outbox] == [["only-email@example.com"]]
    by_channel = {row.channel: row for row in OutboxMessage.objects.all()}
    assert set(by_channel) == {"email", "sms", "whatsapp"}
    assert all(row.status == OutboxMessage.SENT for row in by_channel.values())
    assert by_channel["sms"].esp_message_id.startswith("test:test-")
    messages = [m for call in test_backend.outbox for m in call["messages"]]
    assert sorted(m.to for m in messages) == ["+972527654321", "+972527654321"]
    whatsapp = next(m for m in messages if m.template)
    assert whatsapp.template == "autumn_sale" and whatsapp.parameters == ["Dana"]
    sms = next(m for m in messages if not m.template)
    assert sms.body == "פרסומת - Shoes & Co: 20% off boots\nלהסרה השב הסר"
    campaign.refresh_from_db()
    assert campaign.status == Campaign.DONE


def test_sms_needs_sms_consent_and_a_number(sms_campaign):
    texter("sms@example.com", "+972 52 765 4300", first_name="Noa")
    texter("whatsapp-only@example.com", "0549999999", channels=("whatsapp",))
    make_member("no-number@example.com")  # email consent only, no phone
    fanout.fan_out(sms_campaign, now=NOON)
    sending.process_campaign(sms_campaign.pk, now=NOON)
    assert sent_to() == ["+972527654300"]
    assert test_backend.outbox[0]["messages"][0].body.startswith(
        "פרסומת - Shoes & Co: Sale for Noa!"
    )


def test_a_refusal_recorded_after_the_claim_is_honoured_before_the_provider_call(
    sms_campaign, monkeypatch
):
    member = texter("a@example.com", "0502345678")
    texter("b@example.com", "0502345679")
    fanout.fan_out(sms_campaign, now=NOON)

    def checkpoint(name):
        if name == "sending":  # committed as sending; the reply arrives now
            consent.withdraw_consent(member.user, channel="sms", source="sms_reply")

    monkeypatch.setattr(sending, "checkpoint", checkpoint)
    sending.process_campaign(sms_campaign.pk, now=NOON)
    assert sent_to() == ["+972502345679"]
    row = OutboxMessage.objects.get(user=member.user)
    assert row.status == OutboxMessage.SKIPPED


def test_a_number_changed_after_the_fan_out_is_not_texted(sms_campaign):
    member = texter("a@example.com", "0502345678")
    fanout.fan_out(sms_campaign, now=NOON)
    member.phone = "0527654322"
    member.save()
    sending.process_campaign(sms_campaign.pk, now=NOON)
    assert sent_to() == []
    assert OutboxMessage.objects.get().status == OutboxMessage.SKIPPED


def test_a_number_suppressed_on_sms_is_skipped_on_sms_only(newsletter):
    texter("a@example.com", "0502345678", channels=("sms", "whatsapp"))
    Suppression.objects.create(
        email_hash=number_hash("+972502345678", "sms"),
        scope=Suppression.MARKETING,
        reason=Suppression.HARD_BOUNCE,
    )
    campaign = Campaign.objects.create(
        name="Both", newsletter=newsletter, channels=["sms", "whatsapp"], sms_text="x"
    )
    assert fanout.fan_out(campaign, now=NOON) == 1
    assert OutboxMessage.objects.get().channel == "whatsapp"


@pytest.mark.parametrize("step", ["claimed", "sending", "sent"])
def test_a_worker_killed_at_any_step_of_an_sms_chunk_loses_no_message(
    sms_campaign, monkeypatch, settings, step
):
    settings.OSCAR_LOYALTY_SMS_BACKEND = {
        "BACKEND": "oscar_loyalty.apps.newsletter.channels.test.TestBackend",
        "OPTIONS": {"batch_size": 2},
    }
    numbers = [f"+97252765430{n}" for n in range(5)]
    for n, number in enumerate(numbers):
        texter(f"m{n}@example.com", number)
    fanout.fan_out(sms_campaign, now=NOON)
    state = {"armed": True}

    def checkpoint(name):
        if name == step and state["armed"]:
            state["armed"] = False
            raise WorkerKilled(step)

    monkeypatch.setattr(sending, "checkpoint", checkpoint)
    with pytest.raises(WorkerKilled):
        sending.process_campaign(sms_campaign.pk, now=NOON)
    # The next worker, after the dead worker's lease.
    later = NOON + timedelta(seconds=app_settings.NEWSLETTER_LEASE_SECONDS + 1)
    sending.process_campaign(sms_campaign.pk, now=later)

    got = sent_to()
    assert set(got) == set(numbers)
    duplicates = len(got) - len(numbers)
    assert duplicates == (2 if step == "sent" else 0)  # at most the dead batch, once
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.SENT}
    sms_campaign.refresh_from_db()
    assert sms_campaign.status == Campaign.DONE


def test_a_provider_error_with_a_status_retries_later_and_one_without_waits_for_the_lease(
    sms_campaign, settings
):
    texter("a@example.com", "0502345678")
    fanout.fan_out(sms_campaign, now=NOON)
    test_backend.TestBackend.error = ChannelAPIError("busy", status_code=503)
    sending.process_campaign(sms_campaign.pk, now=NOON)
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.PENDING and row.next_attempt_at > NOON

    test_backend.TestBackend.error = ChannelAPIError("timeout")  # no answer
    sending.process_campaign(sms_campaign.pk, now=row.next_attempt_at)
    row.refresh_from_db()
    assert row.status == OutboxMessage.SENDING  # the provider may have it

    test_backend.TestBackend.error = None
    sending.process_campaign(sms_campaign.pk, now=row.lease_until + timedelta(seconds=1))
    row.refresh_from_db()
    assert row.status == OutboxMessage.SENT and len(sent_to()) == 1


def test_a_number_the_provider_refuses_fails_alone(sms_campaign):
    texter("a@example.com", "0502345678")
    texter("b@example.com", "0502345679")
    test_backend.TestBackend.responses = {
        "+972502345678": RecipientStatus("rejected", error="blacklisted")
    }
    fanout.fan_out(sms_campaign, now=NOON)
    sending.process_campaign(sms_campaign.pk, now=NOON)
    statuses = dict(OutboxMessage.objects.values_list("user__email", "status"))
    assert statuses == {"a@example.com": OutboxMessage.FAILED, "b@example.com": OutboxMessage.SENT}
    assert OutboxMessage.objects.get(user__email="a@example.com").error == "blacklisted"


def test_an_sms_due_in_quiet_hours_waits_for_the_morning_in_israel(sms_campaign):
    texter("a@example.com", "0502345678")
    evening = datetime(2026, 12, 8, 19, 30, tzinfo=UTC)  # 21:30 in Israel
    fanout.fan_out(sms_campaign, now=evening)
    sending.process_campaign(sms_campaign.pk, now=evening)
    assert sent_to() == []
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.PENDING
    assert row.next_attempt_at == datetime(2026, 12, 9, 6, 0, tzinfo=UTC)  # 08:00 in Israel
    sending.process_campaign(sms_campaign.pk, now=row.next_attempt_at)
    assert sent_to() == ["+972502345678"]


def test_a_row_claimed_after_quiet_hours_began_is_put_back_not_sent(sms_campaign):
    texter("a@example.com", "0502345678")
    fanout.fan_out(sms_campaign, now=NOON)  # due at noon, the worker runs late
    night = datetime(2026, 12, 8, 22, 0, tzinfo=UTC)  # midnight in Israel
    sending.process_campaign(sms_campaign.pk, now=night)
    row = OutboxMessage.objects.get()
    assert sent_to() == [] and row.status == OutboxMessage.PENDING
    assert row.next_attempt_at == datetime(2026, 12, 9, 6, 0, tzinfo=UTC)


def test_sms_consent_names_the_number_read_fresh_not_a_stale_copys(db):
    from oscar_loyalty.apps.membership.models import Member

    member = texter("a@example.com", "0502345678", channels=())
    stale = Member.objects.get(pk=member.pk).user
    Member.objects.filter(pk=member.pk).update(phone="+972527654321")
    record = consent.record_consent(
        stale, purpose="marketing", channel="sms", action=ConsentRecord.GRANT,
        source=ConsentRecord.SOURCE_PREFERENCES,
    )  # fmt: skip
    assert record.email_hash == number_hash("+972527654321", "sms")
    member.refresh_from_db()
    assert consent.has_consent(member.user, purpose="marketing", channel="sms")


def test_a_new_number_has_no_sms_consent_until_given_for_it(sms_campaign):
    member = texter("a@example.com", "0502345678")
    member.phone = "0527654322"
    member.save()
    member.user.refresh_from_db()
    assert not consent.has_consent(member.user, purpose="marketing", channel="sms")
    with pytest.raises(EmptyAudience):
        fanout.fan_out(sms_campaign, now=NOON)
