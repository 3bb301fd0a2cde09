from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.core.loading import get_class
from oscar.test.factories import BasketFactory, UserFactory, create_order

from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.consent.services import record_consent
from oscar_loyalty.apps.membership import services
from oscar_loyalty.apps.membership.models import Member, MembershipTerm
from oscar_loyalty.apps.membership.numbers import generate_number
from oscar_loyalty.dates import add_months
from oscar_loyalty.exceptions import AlreadyMember, MemberNotFound, PlanUnavailable
from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db
Selector = get_class("partner.strategy", "Selector")


def buy(user, product, quantity=1):
    basket = BasketFactory(owner=user)
    basket.strategy = Selector().strategy(user=user)
    basket.add_product(product, quantity)
    return create_order(basket=basket, user=user)


def test_joining_the_free_plan_creates_an_active_member_with_a_valid_number(free_plan):
    user = UserFactory()
    member = services.join_club(user)
    assert member.plan == free_plan
    assert member.status == Member.ACTIVE and member.expires_at is None
    assert member.has_benefits()
    assert services.find_member_by_number(member.number) == member
    assert member.terms.count() == 1


def test_joining_records_one_consent_per_ticked_channel_with_wording_and_evidence(free_plan, rf):
    user = UserFactory()
    request = rf.post("/club/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox/140")
    services.join_club(user, consent_channels=["email", "sms"], request=request)
    records = ConsentRecord.objects.filter(user=user).order_by("channel")
    assert [r.channel for r in records] == ["email", "sms"]
    for record in records:
        assert record.action == ConsentRecord.GRANT
        assert record.wording_version and "advertising" in record.wording_text
        assert record.ip_address == "203.0.113.9"
        assert record.user_agent == "Firefox/140"
        assert record.source == "join"


def test_joining_twice_is_refused_and_changes_nothing(free_plan):
    user = UserFactory()
    member = services.join_club(user, consent_channels=["email"])
    with pytest.raises(AlreadyMember):
        services.join_club(user, consent_channels=["email", "sms"])
    assert Member.objects.filter(user=user).get() == member
    assert ConsentRecord.objects.filter(user=user).count() == 1


def test_a_paid_plan_cannot_be_joined_without_buying_it(vip_plan):
    with pytest.raises(PlanUnavailable, match="sold in the shop"):
        services.join_club(UserFactory(), plan=vip_plan)


def test_without_a_free_plan_joining_says_so():
    with pytest.raises(PlanUnavailable, match="no free plan"):
        services.join_club(UserFactory())


def test_buying_the_paid_plan_activates_it_for_its_period(vip_plan):
    user = UserFactory()
    order = buy(user, vip_plan.product)  # order_placed activates it
    member = Member.objects.get(user=user)
    term = member.terms.get()
    assert member.plan == vip_plan and member.status == Member.ACTIVE
    assert term.order == order
    assert member.expires_at == add_months(term.starts_at, 12)


def test_replaying_activation_for_the_same_order_changes_nothing(vip_plan):
    user = UserFactory()
    order = buy(user, vip_plan.product)
    expires = Member.objects.get(user=user).expires_at
    assert services.activate_memberships_for_order(order) == []
    member = Member.objects.get(user=user)
    assert member.terms.count() == 1 and member.expires_at == expires


def test_renewing_before_expiry_adds_the_period_after_the_current_one(vip_plan):
    user = UserFactory()
    buy(user, vip_plan.product)
    first_end = Member.objects.get(user=user).expires_at
    buy(user, vip_plan.product)
    member = Member.objects.get(user=user)
    assert member.expires_at == add_months(first_end, 12)


def test_buying_two_years_in_one_line_gives_two_periods(vip_plan):
    user = UserFactory()
    buy(user, vip_plan.product, quantity=2)
    member = Member.objects.get(user=user)
    term = member.terms.get()
    assert member.expires_at == add_months(term.starts_at, 24)


def test_cancelling_the_order_reverses_the_membership_once(vip_plan):
    user = UserFactory()
    order = buy(user, vip_plan.product)
    order.set_status("Cancelled")
    member = Member.objects.get(user=user)
    assert member.status == Member.CANCELLED and not member.has_benefits()
    assert member.terms.get().status == MembershipTerm.REVERSED
    assert services.reverse_memberships_for_order(order) == []


def test_reversing_the_first_of_two_years_closes_the_gap(vip_plan):
    user = UserFactory()
    first = buy(user, vip_plan.product)
    second = buy(user, vip_plan.product)
    services.reverse_memberships_for_order(first)
    member = Member.objects.get(user=user)
    second_term = member.terms.get(order=second)
    assert second_term.starts_at == second_term.created_at
    assert member.expires_at == add_months(second_term.created_at, 12)
    assert member.status == Member.ACTIVE


def test_a_free_member_falls_back_to_the_free_plan_when_the_paid_one_is_refunded(
    free_plan, vip_plan
):
    from oscar.apps.order.models import PaymentEventType

    user = UserFactory()
    services.join_club(user)
    order = buy(user, vip_plan.product)
    assert Member.objects.get(user=user).plan == vip_plan
    refund = PaymentEventType.objects.create(name="Refunded")
    order.payment_events.create(event_type=refund, amount=D("99.00"))
    member = Member.objects.get(user=user)
    assert member.plan == free_plan
    assert member.status == Member.ACTIVE and member.expires_at is None


def test_expiry_stops_benefits_and_marks_the_member_expired(vip_plan):
    user = UserFactory()
    buy(user, vip_plan.product)
    member = Member.objects.get(user=user)
    later = member.expires_at + timedelta(seconds=1)
    assert not member.has_benefits(later)
    assert services.expire_memberships(now=later) == 1
    assert Member.objects.get(user=user).status == Member.EXPIRED
    assert services.expire_memberships(now=later) == 0


def test_a_renewal_reminder_goes_out_once_before_expiry(
    vip_plan, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="dana@example.com")
    buy(user, vip_plan.product)
    member = Member.objects.get(user=user)
    # "Renew now" urges a purchase: advertising, sent only with marketing consent.
    record_consent(
        user,
        purpose="marketing",
        channel="email",
        action=ConsentRecord.GRANT,
        source=ConsentRecord.SOURCE_IMPORT,
    )
    soon = member.expires_at - timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_renewal_reminders(now=soon - timedelta(days=30)) == 0
        assert services.send_renewal_reminders(now=soon) == 1
        assert services.send_renewal_reminders(now=soon) == 0
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["dana@example.com"]
    assert "VIP" in message.subject and message.subject.startswith("פרסומת")
    assert member.number in message.body
    assert message.alternatives[0][1] == "text/html"


def test_an_unknown_member_number_says_so(free_plan):
    member = services.join_club(UserFactory())
    with pytest.raises(MemberNotFound, match="not a valid member number"):
        services.find_member_by_number(member.number[:-1] + str((int(member.number[-1]) + 1) % 10))
    with pytest.raises(MemberNotFound, match="not a valid member number"):
        services.find_member_by_number("79927398713")  # valid Luhn, wrong length
    unused = generate_number(length=10)
    assert unused != member.number
    with pytest.raises(MemberNotFound, match="No member has this number"):
        services.find_member_by_number(unused)


def test_changing_a_birthday_remembers_when_but_setting_the_first_one_does_not(free_plan):
    member = services.join_club(UserFactory())
    now = timezone.now()
    member = services.update_profile(
        member, birthday=timezone.localdate().replace(year=1990), now=now
    )
    assert member.birthday_changed_at is None
    member = services.update_profile(member, birthday=member.birthday.replace(year=1991), now=now)
    assert member.birthday_changed_at == now


def test_a_29_february_birthday_is_accepted(free_plan):
    from datetime import date

    member = services.update_profile(services.join_club(UserFactory()), birthday=date(1992, 2, 29))
    assert Member.objects.get(pk=member.pk).birthday == date(1992, 2, 29)


def test_update_profile_refuses_fields_that_are_not_profile_fields(free_plan):
    member = services.join_club(UserFactory())
    with pytest.raises(TypeError, match="status"):
        services.update_profile(member, status=Member.CANCELLED)


def test_plans_are_paid_exactly_when_they_have_a_price():
    assert PlanFactory.build(price=D("0.01")).is_paid
    assert not PlanFactory.build(price=D("0.00")).is_paid


def test_the_first_tier_given_on_joining_gives_joining_as_its_reason(free_plan):
    from oscar_loyalty.apps.membership.models import TierChange
    from tests.factories import TierFactory

    TierFactory(name="Bronze", qualifying_spend=D("0.00"))
    member = services.join_club(UserFactory())
    change = TierChange.objects.get(member=member)
    assert change.reason == TierChange.REASON_JOIN
    assert change.get_reason_display() == "Joined the club"
