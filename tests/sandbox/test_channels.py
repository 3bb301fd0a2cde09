"""The demo store sends a segment's campaign by email, SMS and WhatsApp, to its test backends."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.channels import get_backend
from oscar_loyalty.apps.newsletter.channels import test as test_backend
from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter, OutboxMessage
from oscar_loyalty.apps.segments.models import Segment
from sandbox import settings as sandbox_settings
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

# Tuesday 8 December 2026, 12:00 in Israel: outside quiet hours.
NOON = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


@pytest.fixture
def sandbox_backends(settings):
    """The sandbox's own mail, SMS and WhatsApp backends (tests/settings.py swaps them)."""
    settings.EMAIL_BACKEND = sandbox_settings.EMAIL_BACKEND
    settings.OSCAR_LOYALTY_SMS_BACKEND = sandbox_settings.OSCAR_LOYALTY_SMS_BACKEND
    settings.OSCAR_LOYALTY_WHATSAPP_BACKEND = sandbox_settings.OSCAR_LOYALTY_WHATSAPP_BACKEND
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2026-12-25"]  # not the holidays package's dates
    settings.OSCAR_LOYALTY_SMS_SENDER_NAME = "Oscar Loyalty Sandbox"
    test_backend.reset()
    mail.outbox = []
    yield
    test_backend.reset()


def member(email, city, phone, channels):
    from oscar.test.factories import UserFactory

    m = MemberFactory(user=UserFactory(email=email, first_name="Noa"), city=city, phone=phone)
    for channel in channels:
        # Email consent counts once the address is confirmed (double opt-in).
        source = (
            ConsentRecord.SOURCE_DOI if channel == "email" else ConsentRecord.SOURCE_PREFERENCES
        )
        consent.record_consent(
            m.user, purpose="marketing", channel=channel, action=ConsentRecord.GRANT, source=source
        )
    return m


def test_the_sandbox_configures_printing_test_backends_for_sms_and_whatsapp(sandbox_backends):
    for channel in ("sms", "whatsapp"):
        backend = get_backend(channel)
        assert isinstance(backend, test_backend.TestBackend)
        assert backend.channel == channel


def test_a_campaign_to_a_segment_goes_out_on_email_sms_and_whatsapp_in_the_sandbox(
    sandbox_backends, capsys
):
    haifa = Segment.objects.create(
        name="Haifa",
        rules={"op": "and", "rules": [{"type": "city", "params": {"cities": ["Haifa"]}}]},
    )
    member("all@example.com", "Haifa", "0502345678", ("email", "sms", "whatsapp"))
    member("sms@example.com", "Haifa", "0502345679", ("sms",))
    member("eilat@example.com", "Eilat", "0502345670", ("email", "sms", "whatsapp"))
    newsletter = Newsletter.objects.create(
        title="Haifa", subject="Haifa opening", language="he", live=True
    )
    campaign = Campaign.objects.create(
        name="Haifa", newsletter=newsletter, segment=haifa,
        channels=["email", "sms", "whatsapp"], sms_text="סניף חדש בחיפה",
        whatsapp_template="haifa_opening",
    )  # fmt: skip

    assert fanout.fan_out(campaign, now=NOON) == 4
    assert sending.process_campaign(campaign.pk, now=NOON)["sent"] == 4

    assert [m.to for m in mail.outbox] == [["all@example.com"]]
    messages = [(m.to, m.template) for call in test_backend.outbox for m in call["messages"]]
    assert sorted(messages) == [
        ("+972502345678", ""),
        ("+972502345678", "haifa_opening"),
        ("+972502345679", ""),
    ]
    rows = OutboxMessage.objects.filter(campaign=campaign)
    assert sorted(rows.values_list("channel", "status")) == [
        ("email", "sent"), ("sms", "sent"), ("sms", "sent"), ("whatsapp", "sent"),
    ]  # fmt: skip
    campaign.refresh_from_db()
    assert campaign.status == Campaign.DONE
    printed = capsys.readouterr().out
    assert "--- sms to +972502345679" in printed and "--- whatsapp to +972502345678" in printed
    assert "פרסומת - Oscar Loyalty Sandbox: סניף חדש בחיפה" in printed
