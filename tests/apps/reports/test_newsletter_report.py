from datetime import date

import pytest
from django.apps import apps

from oscar_loyalty.apps.reports.registry import Period, get_report

from .conftest import at

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not apps.is_installed("oscar_loyalty.apps.newsletter"),
        reason="newsletter app not installed",
    ),
]


@pytest.fixture
def campaign(club):
    from anymail.signals import AnymailTrackingEvent, tracking

    from oscar_loyalty.apps.consent.models import ConsentRecord
    from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter, OutboxMessage

    newsletter = Newsletter.objects.create(title="Spring", subject="Spring sale", live=True)
    campaign = Campaign.objects.create(
        name="Spring sale", newsletter=newsletter, status=Campaign.DONE, queued_at=at(2025, 2, 1)
    )
    users = [club["avi"].user, club["bat"].user, club["chen"].user, None]
    statuses = ["sent", "sent", "sent", "bounced"]
    messages = [
        OutboxMessage.objects.create(
            campaign=campaign,
            user=user,
            email_hash=f"h{n}",
            status=status,
            esp_message_id=f"esp-{n}",
            sent_at=at(2025, 2, 1),
        )
        for n, (user, status) in enumerate(zip(users, statuses, strict=True))
    ]
    # Opens and clicks arrive as the ESP's tracking events, through Anymail's
    # signal and the newsletter app's real receiver; esp-0 is opened twice.
    events = [("esp-0", "opened", "e1"), ("esp-0", "opened", "e2"), ("esp-1", "opened", "e3")]
    events += [("esp-1", "clicked", "e4"), ("esp-3", "bounced", "e5")]
    for message_id, kind, event_id in events:
        tracking.send(
            sender=object,
            event=AnymailTrackingEvent(
                event_type=kind,
                message_id=message_id,
                event_id=event_id,
                recipient="someone@example.com",
                timestamp=at(2025, 2, 2),
            ),
            esp_name="Test",
        )
    ConsentRecord.objects.create(
        user=club["bat"].user,
        purpose="marketing",
        channel="email",
        action=ConsentRecord.WITHDRAW,
        wording_version="1",
        wording_text="-",
        source=ConsentRecord.SOURCE_ONE_CLICK,
        created_at=at(2025, 2, 3),
        evidence={"message": messages[1].message_ref},
    )
    return campaign


def test_newsletter_results_count_each_outcome_once_per_message(campaign):
    (row,) = get_report("newsletter").rows(Period(date(2025, 1, 1), date(2025, 3, 31)))
    assert row["campaign"] == "Spring sale"
    assert (row["sent"], row["delivered"], row["bounced"]) == (4, 3, 1)
    # esp-0 was opened twice: one opened message.
    assert (row["opened"], row["clicked"], row["unsubscribed"]) == (2, 1, 1)
    assert row["open_rate"] == round(2 / 3, 4)


def test_newsletter_results_leave_out_campaigns_sent_outside_the_range(campaign):
    assert get_report("newsletter").rows(Period(date(2025, 3, 1), date(2025, 3, 31))) == []


def test_a_campaign_scheduled_for_later_is_not_listed_as_sent(campaign):
    from oscar_loyalty.apps.newsletter.models import Campaign

    for status in (Campaign.SCHEDULED, Campaign.DRAFT, Campaign.CANCELLED):
        Campaign.objects.create(
            name=f"Summer ({status})",
            newsletter=campaign.newsletter,
            status=status,
            created_at=at(2025, 2, 10),
            scheduled_at=at(2025, 6, 1),
        )
    rows = get_report("newsletter").rows(Period(date(2025, 1, 1), date(2025, 3, 31)))
    assert [row["campaign"] for row in rows] == ["Spring sale"]
