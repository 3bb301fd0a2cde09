from datetime import UTC, timedelta
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.utils import timezone
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.apps.order.signals import order_placed
from oscar.test.factories import UserFactory, create_product

from oscar_loyalty.apps.membership import services as membership_services
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points import bonuses, earning
from oscar_loyalty.apps.points.models import PointsAccount, PointsEarning, PointsEntry
from tests.apps.points.conftest import place
from tests.factories import MemberFactory, PlanFactory, PointsPromotionFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_settings(points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 14
    return points_settings


def account_of(member):
    return PointsAccount.objects.get(member=member)


def test_a_members_order_earns_pending_points_at_the_stored_rate(member, pending_settings):
    order = place(member.user, prices=[D("100.00"), D("25.50")])
    account = account_of(member)
    assert (account.pending, account.balance) == (125, 0)
    earning_row = PointsEarning.objects.get(order=order)
    assert sorted(line.points for line in earning_row.lines.all()) == [25, 100]
    assert {line.rate for line in earning_row.lines.all()} == {D("1.0000")}


def test_points_are_rounded_down_per_line(member, points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "1.5"
    place(member.user, prices=[D("9.99")])
    assert account_of(member).balance == 14  # 14.985 rounded down


def test_a_shopper_without_membership_earns_nothing(points_settings):
    place(UserFactory(), prices=[D("80.00")])
    assert not PointsEarning.objects.exists()


def test_an_expired_member_earns_nothing(points_settings):
    expired = MemberFactory(status=Member.EXPIRED)
    place(expired.user)
    assert not PointsEarning.objects.exists()


def test_membership_fees_earn_no_points(member, points_settings):
    fee = create_product(price=D("99.00"), num_in_stock=5, product_class="Club membership")
    shoe = create_product(price=D("20.00"), num_in_stock=5)
    place(member.user, products=[fee, shoe])
    assert account_of(member).balance == 20


def test_category_multipliers_and_exclusions(member, points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_CATEGORY_MULTIPLIERS = {"books": "3"}
    points_settings.OSCAR_LOYALTY_POINTS_EXCLUDED_CATEGORIES = ["gift-cards"]
    book = create_product(price=D("10.00"), num_in_stock=5)
    book.categories.add(create_from_breadcrumbs("Books"))
    card = create_product(price=D("50.00"), num_in_stock=5)
    card.categories.add(create_from_breadcrumbs("Gift cards"))
    place(member.user, products=[book, card])
    assert account_of(member).balance == 30


def test_a_range_multiplier_applies_to_the_products_in_the_range(member, points_settings):
    from oscar.test.factories import RangeFactory

    points_settings.OSCAR_LOYALTY_POINTS_RANGE_MULTIPLIERS = {"summer-sale": "2"}
    lamp = create_product(price=D("10.00"), num_in_stock=5)
    chair = create_product(price=D("10.00"), num_in_stock=5)
    summer = RangeFactory(name="Summer sale", slug="summer-sale")
    summer.add_product(lamp)
    place(member.user, products=[lamp, chair])
    assert account_of(member).balance == 30


def test_tier_and_promotion_multiply_the_rate(points_settings):
    member = MemberFactory(tier=TierFactory(points_multiplier=D("1.50")))
    PointsPromotionFactory(multiplier=D("2"))
    PointsPromotionFactory(multiplier=D("5"), is_active=False)
    order = place(member.user, prices=[D("10.00")])
    assert account_of(member).balance == 30
    assert PointsEntry.objects.get(order=order, kind=PointsEntry.EARN).rate == D("3.0000")


def test_a_promotion_outside_its_dates_does_not_count(member, points_settings):
    PointsPromotionFactory(
        multiplier=D("2"), starts_at=timezone.now() + timedelta(days=1), ends_at=None
    )
    place(member.user, prices=[D("10.00")])
    assert account_of(member).balance == 10


def test_replaying_order_placed_does_not_earn_twice(member, points_settings):
    order = place(member.user, prices=[D("10.00")])
    order_placed.send(sender=None, order=order, user=member.user)
    earning.record_earning_for_order(order)
    assert account_of(member).balance == 10
    assert PointsEntry.objects.filter(kind=PointsEntry.EARN).count() == 1


def test_pending_points_mature_after_the_return_window(member, pending_settings):
    order = place(member.user, prices=[D("40.00")])
    call_command("loyalty_mature_points")
    assert account_of(member).pending == 40
    later = order.date_placed + timedelta(days=15)
    assert earning.mature_due_earnings(now=later) == 1
    account = account_of(member)
    assert (account.pending, account.balance) == (0, 40)
    assert earning.mature_due_earnings(now=later) == 0


def test_pending_points_mature_when_the_order_reaches_a_configured_status(
    member, pending_settings
):
    pending_settings.OSCAR_LOYALTY_POINTS_MATURE_STATUSES = ["Complete"]
    order = place(member.user, prices=[D("40.00")])
    order.set_status("Being processed")
    assert account_of(member).balance == 0
    order.set_status("Complete")
    assert (account_of(member).balance, account_of(member).pending) == (40, 0)


def test_joining_the_club_awards_the_join_bonus_once(
    points_settings, django_capture_on_commit_callbacks
):
    points_settings.OSCAR_LOYALTY_POINTS_BONUSES = {"join": 50}
    PlanFactory()
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        member = membership_services.join_club(user)
    assert account_of(member).balance == 50
    assert bonuses.award_bonus(member, kind="join") is None
    assert account_of(member).balance == 50


def test_birthday_bonus_is_once_a_year(member, points_settings):
    now = timezone.now()
    assert bonuses.award_bonus(member, kind="birthday", points=20, now=now)
    assert bonuses.award_bonus(member, kind="birthday", points=20, now=now) is None
    assert bonuses.award_bonus(member, kind="birthday", points=20, now=now + timedelta(days=366))
    assert account_of(member).balance == 40


def test_a_bonus_of_zero_points_awards_nothing(member, points_settings):
    assert bonuses.award_bonus(member, kind="profile") is None
    assert not PointsEntry.objects.exists()


def test_completing_the_profile_awards_its_bonus_once(
    member, points_settings, django_capture_on_commit_callbacks
):
    points_settings.OSCAR_LOYALTY_POINTS_BONUSES = {"profile": 25}
    with django_capture_on_commit_callbacks(execute=True):
        membership_services.update_profile(member, city="Haifa")
    assert not PointsEntry.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        membership_services.update_profile(
            member,
            birthday=timezone.now().date().replace(year=1990),
            region="haifa",
            preferred_channels=["email"],
        )
    with django_capture_on_commit_callbacks(execute=True):
        membership_services.update_profile(member, city="Akko")
    assert account_of(member).balance == 25


def test_birthday_bonus_goes_to_members_born_today_not_to_recent_changes(points_settings):
    from datetime import date, datetime

    points_settings.OSCAR_LOYALTY_POINTS_BONUSES = {"birthday": 40}
    now = datetime(2027, 2, 28, 10, 0, tzinfo=UTC)
    leapling = MemberFactory(birthday=date(2000, 2, 29))
    other_day = MemberFactory(birthday=date(2000, 3, 1))
    changed = MemberFactory(
        birthday=date(1990, 2, 28), birthday_changed_at=now - timedelta(days=3)
    )
    assert bonuses.award_birthday_bonuses(now=now) == 1
    assert bonuses.award_birthday_bonuses(now=now) == 0
    assert PointsEntry.objects.get().account.member == leapling
    assert not PointsAccount.objects.filter(
        member__in=[other_day, changed], balance__gt=0
    ).exists()


def test_matured_points_are_emailed_once(
    member, pending_settings, mailoutbox, django_capture_on_commit_callbacks
):
    order = place(member.user, prices=[D("40.00")])
    later = order.date_placed + timedelta(days=15)
    with django_capture_on_commit_callbacks(execute=True):
        earning.mature_due_earnings(now=later)
        earning.mature_due_earnings(now=later)
    mails = [m for m in mailoutbox if "points" in m.subject.lower()]
    assert len(mails) == 1 and mails[0].to == [member.user.email]
    assert "40" in mails[0].body
