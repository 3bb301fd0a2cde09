from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from oscar_loyalty.apps.consent.models import TrackingEvent
from oscar_loyalty.apps.journey.models import FirstTouch
from oscar_loyalty.apps.privacy import retention, tasks
from oscar_loyalty.apps.referrals import services as referrals
from oscar_loyalty.apps.referrals.models import ReferralVisit
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def rows(db):
    code = referrals.get_code(MemberFactory())
    member = MemberFactory()
    for n, age in enumerate([200, 120, 1]):
        TrackingEvent.objects.create(
            esp_name="mailgun", event_id=f"e{n}", event_type="bounced", received_at=days_ago(age)
        )
    for age in (400, 380, 10):
        ReferralVisit.objects.create(code=code, ip_hash="x", created_at=days_ago(age))
    FirstTouch.objects.create(visitor_id="old-visitor", created_at=days_ago(100))
    FirstTouch.objects.create(visitor_id="new-visitor", created_at=days_ago(5))
    FirstTouch.objects.create(visitor_id="member", member=member, created_at=days_ago(500))


def test_the_retention_command_deletes_only_rows_past_their_period(rows, capsys):
    call_command("loyalty_apply_retention")
    assert list(TrackingEvent.objects.values_list("event_id", flat=True)) == ["e2"]
    assert ReferralVisit.objects.count() == 1
    assert ReferralVisit.objects.get().created_at > days_ago(11)
    # A visitor who joined keeps their first touch; one who never joined goes.
    assert set(FirstTouch.objects.values_list("visitor_id", flat=True)) == {
        "new-visitor",
        "member",
    }
    out = capsys.readouterr().out
    # The command is an alias of the privacy.retention job of loyalty_daily.
    assert "'email_provider_events': 2" in out
    assert "'referral_visits': 2" in out


def test_retention_deletes_in_batches(rows):
    for n in range(7):
        TrackingEvent.objects.create(
            esp_name="ses", event_id=f"old{n}", event_type="opened", received_at=days_ago(300)
        )
    result = retention.apply_retention(batch_size=2)
    assert result["email_provider_events"] == 9
    assert TrackingEvent.objects.count() == 1


def test_a_period_of_none_keeps_everything(rows, settings):
    settings.OSCAR_LOYALTY_PRIVACY_TRACKING_EVENT_DAYS = None
    settings.OSCAR_LOYALTY_PRIVACY_REFERRAL_VISIT_DAYS = 30
    result = retention.apply_retention()
    assert "email_provider_events" not in result
    assert TrackingEvent.objects.count() == 3
    assert ReferralVisit.objects.count() == 1


def test_the_daily_task_applies_retention(rows):
    result = tasks.apply_retention.enqueue()
    assert result.return_value["referral_visits"] == 2
    assert ReferralVisit.objects.count() == 1


def test_a_wrong_retention_setting_is_reported_by_name(settings):
    from oscar_loyalty.apps.privacy.checks import check_privacy_settings

    settings.OSCAR_LOYALTY_PRIVACY_VISIT_DAYS = -3
    ids = {error.id for error in check_privacy_settings()}
    assert ids == {"oscar_loyalty.E_PRIVACY_VISIT_DAYS"}


def test_old_newsletter_opens_and_clicks_are_forgotten_but_the_messages_stay(db):
    from wagtail.rich_text import RichText

    from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter, OutboxMessage

    newsletter = Newsletter.objects.create(
        title="Old", subject="Old", language="en", live=True,
        body=[("paragraph", RichText("<p>Hi</p>"))],
    )  # fmt: skip
    campaign = Campaign.objects.create(name="Old send", newsletter=newsletter)
    for n, age in enumerate([400, 10]):
        OutboxMessage.objects.create(
            campaign=campaign, email_hash=f"{n}" * 64, status=OutboxMessage.SENT,
            sent_at=days_ago(age), opened_at=days_ago(age), clicked_at=days_ago(age),
        )  # fmt: skip
    assert retention.apply_retention()["newsletter_opens_and_clicks"] == 1
    old, new = OutboxMessage.objects.order_by("sent_at")
    assert (old.opened_at, old.clicked_at, old.status) == (None, None, OutboxMessage.SENT)
    assert new.opened_at is not None and new.clicked_at is not None
