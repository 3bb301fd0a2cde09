from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import OrderFactory, UserFactory

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.journey import services as journey
from oscar_loyalty.apps.journey.models import OrderChannel
from oscar_loyalty.apps.membership import services as membership
from oscar_loyalty.apps.membership.models import Member, TierChange
from oscar_loyalty.apps.newsletter import tracking
from oscar_loyalty.apps.newsletter.models import Campaign, OutboxMessage
from oscar_loyalty.apps.points import services as points
from oscar_loyalty.apps.referrals.models import ReferralCode
from tests.factories import ReferralCodeFactory, ReferralFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def add_events(member, campaign, *, n: int) -> None:
    """``n`` of each kind of event for ``member``."""
    now = timezone.now()
    gold = TierFactory()
    for i in range(n):
        order = OrderFactory(
            user=member.user, date_placed=now - timedelta(days=30 - i), total_incl_tax=D("80.00")
        )
        journey.record_order_channel(order, channel="in_store" if i % 2 else "web")
        points.adjust_points(member, 10 + i, reason=f"Goodwill {i}", staff_user=None)
        TierChange.objects.create(
            member=member,
            to_tier=gold,
            qualifying_spend=D("80"),
            reason="order",
            created_at=now - timedelta(days=20 - i),
        )
        code = ReferralCode.objects.filter(member=member).first() or ReferralCodeFactory(
            member=member
        )
        ReferralFactory(code=code)
        consent.record_consent(
            member.user,
            purpose="marketing",
            channel="sms",
            action=ConsentRecord.GRANT,
            source=ConsentRecord.SOURCE_PREFERENCES,
        )
        OutboxMessage.objects.create(
            campaign=campaign
            if i == 0
            else Campaign.objects.create(
                name=f"{campaign.name} {n}-{i}", newsletter=campaign.newsletter
            ),
            user=member.user,
            email_hash=f"h{i}-{n}",
            status=OutboxMessage.SENT,
            sent_at=now - timedelta(days=5),
        )


@pytest.fixture
def dana(free_plan):
    member = membership.join_club(
        UserFactory(email="dana@example.com", first_name="Dana"), consent_channels=["email"]
    )
    Member.objects.filter(pk=member.pk).update(joined_at=timezone.now() - timedelta(days=60))
    member.refresh_from_db()
    journey.link_first_touch(
        member,
        {
            "v": "abc",
            "at": (timezone.now() - timedelta(days=61)).isoformat(),
            "utm_source": "newsletter",
            "utm_medium": "email",
            "utm_campaign": "autumn",
        },
    )
    return member


def test_the_timeline_shows_every_kind_of_event_in_date_order(client, staff, dana, newsletter):
    campaign = Campaign.objects.create(name="Autumn news", newsletter=newsletter)
    add_events(dana, campaign, n=2)
    message = OutboxMessage.objects.filter(user=dana.user).first()
    message.esp_message_id = "esp-1"
    message.save()
    tracking.apply_tracking_event(event_type="opened", metadata={}, message_id="esp-1")
    tracking.apply_tracking_event(event_type="clicked", metadata={}, message_id="esp-1")

    detail = client.get(reverse("loyalty_dashboard:loyalty-member-detail", args=[dana.pk]))
    timeline_url = reverse("loyalty_dashboard:loyalty-member-timeline", args=[dana.pk])
    assert timeline_url in detail.content.decode()

    response = client.get(timeline_url)
    assert response.status_code == 200
    events = response.context["events"]
    kinds = {e.kind for e in events}
    assert kinds == {"touch", "join", "term", "order", "points", "tier", "referral", "consent",
                     "email"}  # fmt: skip
    assert events[0].kind == "touch" and "Email" in events[0].title
    assert "campaign: autumn" in events[0].detail
    assert events[1].kind in ("join", "term")
    assert [e.at for e in events] == sorted(e.at for e in events)
    titles = [e.title for e in events]
    assert "Email opened: Autumn news" in titles and "Email clicked: Autumn news" in titles
    channels = [e.detail.split(" · ")[0] for e in events if e.kind == "order"]
    assert sorted(channels) == ["In store", "Web"]
    html = response.content.decode()
    assert "Goodwill 1" in html and "First visit (Email)" in html

    newest = client.get(timeline_url, {"order": "newest"}).context["events"]
    assert [e.at for e in newest] == sorted((e.at for e in events), reverse=True)


def test_redemptions_appear_once_as_redemptions(client, staff, dana):
    from oscar_loyalty.apps.points.models import PointsRedemption

    points.adjust_points(dana, 100, reason="Start", staff_user=None)
    order = OrderFactory(user=dana.user, total_incl_tax=D("50.00"))
    PointsRedemption.objects.create(
        account=points.get_account(dana),
        points=40,
        captured_points=40,
        status="captured",
        expires_at=timezone.now(),
        order=order,
    )
    events = client.get(
        reverse("loyalty_dashboard:loyalty-member-timeline", args=[dana.pk])
    ).context["events"]
    assert [e.title for e in events if e.kind == "redemption"] == ["Redeemed 40 points"]


def test_the_timeline_costs_the_same_queries_for_few_or_many_events(
    client,
    staff,
    dana,
    newsletter,
    django_assert_max_num_queries,
):
    campaign = Campaign.objects.create(name="News", newsletter=newsletter)
    url = reverse("loyalty_dashboard:loyalty-member-timeline", args=[dana.pk])
    add_events(dana, Campaign.objects.create(name="Other", newsletter=newsletter), n=1)
    client.get(url)  # warm per-process caches (site, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_events(dana, campaign, n=8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len([e for e in response.context["events"] if e.kind == "order"]) == 9
    assert OrderChannel.objects.count() == 9
