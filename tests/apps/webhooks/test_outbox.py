"""The outbox: an event row commits with the change it tells of, or not at all."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent.services import record_consent
from oscar_loyalty.apps.membership import services as membership
from oscar_loyalty.apps.membership.models import Member, MembershipTerm
from oscar_loyalty.apps.points import earning, expiry
from oscar_loyalty.apps.webhooks import events, services
from oscar_loyalty.apps.webhooks.models import Delivery, Endpoint, Event
from tests.apps.points.conftest import credit, place
from tests.apps.points.conftest import points_settings as points_settings  # noqa: F401
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def endpoint(*types, url="http://127.0.0.1:9/hooks", **fields):
    return Endpoint.objects.create(
        name="CRM", url=url, events=list(types or events.EVENT_TYPES), **fields
    )


def test_joining_records_one_event_and_a_delivery_per_subscribed_endpoint(free_plan):
    crm, erp = endpoint("member.joined"), endpoint("member.joined")
    endpoint("points.spent")  # not subscribed to joins
    member = membership.join_club(UserFactory(), plan=free_plan)
    event = Event.objects.get(type="member.joined")
    assert event.payload["id"] == event.webhook_id
    assert event.payload["version"] == 1
    assert event.payload["data"]["member"] == {
        "number": member.number,
        "customer_id": member.user_id,
    }
    assert event.member_key == f"user:{member.user_id}"
    assert set(Delivery.objects.values_list("endpoint_id", flat=True)) == {crm.pk, erp.pk}


def test_nothing_is_recorded_without_a_subscribed_endpoint(free_plan):
    endpoint("points.spent")
    membership.join_club(UserFactory(), plan=free_plan)
    assert not Event.objects.exists()


def test_a_rolled_back_change_leaves_no_event(free_plan):
    endpoint("member.joined")
    with pytest.raises(RuntimeError), transaction.atomic():
        membership.join_club(UserFactory(), plan=free_plan)
        raise RuntimeError("the caller's transaction fails after the join")
    assert not Member.objects.exists()
    assert not Event.objects.exists()
    assert not Delivery.objects.exists()


def test_a_failure_to_record_the_event_rolls_the_change_back(free_plan):
    endpoint("member.joined")
    user = UserFactory()
    with (
        mock.patch.object(Delivery.objects, "bulk_create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        membership.join_club(user, plan=free_plan)
    assert not Member.objects.filter(user=user).exists()
    assert not Event.objects.exists()


def test_delivery_is_only_kicked_after_commit(free_plan, django_capture_on_commit_callbacks):
    endpoint("member.joined")
    with mock.patch("oscar_loyalty.apps.webhooks.tasks.deliver_endpoint") as task:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            membership.join_club(UserFactory(), plan=free_plan)
            membership.join_club(UserFactory(), plan=free_plan)
        assert not task.enqueue.called  # nothing sent inside the transaction
        for callback in callbacks:
            callback()
    assert task.enqueue.call_count >= 1


def test_consent_events_follow_the_state_not_a_pending_double_opt_in(member_with_email):
    endpoint("consent.granted", "consent.withdrawn")
    user = member_with_email.user
    record_consent(user, purpose="marketing", channel="sms", action="grant", source="staff")
    record_consent(user, purpose="marketing", channel="sms", action="withdraw", source="staff")
    types = list(Event.objects.order_by("pk").values_list("type", flat=True))
    assert types == ["consent.granted", "consent.withdrawn"]
    data = Event.objects.order_by("pk").first().payload["data"]
    assert data["purpose"] == "marketing" and data["channel"] == "sms"


@pytest.fixture
def member_with_email(db):
    return MemberFactory(user=UserFactory(email="dana@example.com"))


def test_points_events_tell_earning_maturing_and_settling(points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 14
    endpoint()
    member = MemberFactory()
    order = place(member.user)
    earning.record_earning_for_order(order)
    earning.mature_order(order)
    types = list(Event.objects.order_by("pk").values_list("type", flat=True))
    assert types[-3:] == ["points.earned", "points.matured", "order.points_settled"]
    matured = Event.objects.get(type="points.matured").payload["data"]
    assert matured["points"] == 100 and matured["order"] == {"number": str(order.number)}
    settled = Event.objects.get(type="order.points_settled").payload["data"]
    assert settled == {
        "member": {"number": member.number, "customer_id": member.user_id},
        "order": {"number": str(order.number)},
        "earned": 100,
        "spent": 0,
    }


def test_expired_points_are_told_once_per_member(points_settings):
    endpoint("points.expired")
    now = timezone.now()
    first, second = MemberFactory(), MemberFactory()
    for member in (first, second):
        credit(member, 40, now=now - timedelta(days=400))
    expiry.expire_points(now=now)
    expiry.expire_points(now=now)  # a re-run expires nothing, tells nothing
    told = Event.objects.filter(type="points.expired")
    assert sorted(e.payload["data"]["member"]["number"] for e in told) == sorted(
        [first.number, second.number]
    )
    assert {e.payload["data"]["points"] for e in told} == {40}


def test_an_expired_membership_is_told_as_the_member_leaving(free_plan):
    endpoint("member.left")
    ended = timezone.now() - timedelta(days=1)
    member = MemberFactory(plan=free_plan, expires_at=ended)
    MembershipTerm.objects.create(
        member=member,
        plan=free_plan,
        months=1,
        starts_at=ended - timedelta(days=30),
        ends_at=ended,
    )
    membership.expire_memberships()
    member.refresh_from_db()
    assert member.status == Member.EXPIRED
    assert Event.objects.get().payload["data"]["reason"] == "expired"


def test_only_http_and_https_urls_are_accepted():
    from django.core.exceptions import ValidationError

    for hostile in (
        "file:///etc/passwd",
        "gopher://127.0.0.1:25/",
        "ftp://example.com/x",
        "javascript:alert(1)",
        "http://user:secret@example.com/hooks",
        "http:///no-host",
    ):
        with pytest.raises(ValidationError):
            services.validate_url(hostile)
    assert (
        services.validate_url("https://crm.example.com/hooks") == "https://crm.example.com/hooks"
    )


def test_a_reversed_term_is_a_leaving_only_when_the_member_is_left_without_one(free_plan):
    from oscar_loyalty import signals

    member = MemberFactory(status=Member.ACTIVE)
    arguments = {"member": member, "term": None, "order": None}
    # Another term still runs (an earlier paid one, or the free plan): still a member.
    assert events.describe(signals.membership_reversed, **arguments) is None
    member.status = Member.CANCELLED
    left = events.describe(signals.membership_reversed, **arguments)
    assert (left.type, left.data["reason"]) == ("member.left", "reversed")
