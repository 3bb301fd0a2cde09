from datetime import date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import RangeFactory, UserFactory

from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.consent.services import record_consent
from oscar_loyalty.apps.membership import services as membership_services
from oscar_loyalty.apps.offers import gifts, services
from oscar_loyalty.apps.offers.models import MemberGift
from oscar_loyalty.apps.offers.services import MemberOfferSpec
from oscar_loyalty.exceptions import GiftUnavailable
from tests.checkout import add_to_basket
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

STORE = ZoneInfo("Asia/Jerusalem")


def local_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=STORE)


@pytest.fixture
def gift_offer(product):
    return services.save_member_offer(
        MemberOfferSpec(
            name="Birthday 20% off",
            offer_type="Voucher",
            condition_type="Count",
            range=RangeFactory(products=[product]),
            condition_value=D("1"),
            benefit_type="Percentage",
            benefit_value=D("20"),
        )
    )


@pytest.fixture
def birthday_settings(settings, gift_offer):
    settings.OSCAR_LOYALTY_BIRTHDAY_OFFER = gift_offer.slug
    settings.OSCAR_LOYALTY_BIRTHDAY_DAYS_BEFORE = 0
    settings.OSCAR_LOYALTY_BIRTHDAY_DAYS_AFTER = 7
    settings.OSCAR_LOYALTY_BIRTHDAY_CHANGE_BLOCK_DAYS = 60
    return settings


def consent_to_email(user):
    # Confirmed (double opt-in) consent: the kind that lets advertising go out.
    record_consent(
        user, purpose="marketing", channel="email", action="grant", source=ConsentRecord.SOURCE_DOI
    )


def test_a_member_with_a_birthday_today_gets_the_greeting_and_a_working_voucher(
    birthday_settings,
    member,
    member_client,
    product,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    member.birthday = timezone.localdate().replace(year=1990)
    member.save()
    consent_to_email(member.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert gifts.issue_birthday_gifts() == 1
    gift = MemberGift.objects.get(member=member)
    [email] = mailoutbox
    assert email.subject.startswith("פרסומת") and "Happy birthday, Dana" in email.subject
    assert gift.voucher.code in email.body and email.to == ["member@example.com"]
    assert gift.emailed_at is not None
    add_to_basket(member_client, product)
    member_client.post(reverse("basket:vouchers-add"), {"code": gift.voucher.code})
    assert member_client.get(reverse("basket:summary")).context["basket"].total_excl_tax == D(
        "8.00"
    )


def test_a_member_without_email_consent_gets_the_voucher_but_no_email(
    birthday_settings, member, member_client, mailoutbox, django_capture_on_commit_callbacks
):
    member.birthday = timezone.localdate().replace(year=1990)
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        gifts.issue_birthday_gifts()
    gift = MemberGift.objects.get(member=member)
    assert mailoutbox == [] and gift.emailed_at is None
    html = member_client.get(reverse("loyalty:offers")).content.decode()
    assert gift.voucher.code in html and "Happy birthday, Dana" in html


def test_a_withdrawn_consent_stops_the_email_even_after_the_gift_was_issued(
    birthday_settings, member, mailoutbox, django_capture_on_commit_callbacks
):
    member.birthday = timezone.localdate().replace(year=1990)
    member.save()
    consent_to_email(member.user)
    gifts.issue_birthday_gifts()  # outside the capture: the email waits for commit
    record_consent(
        member.user,
        purpose="marketing",
        channel="email",
        action="withdraw",
        source=ConsentRecord.SOURCE_PREFERENCES,
    )
    assert gifts.send_birthday_email(MemberGift.objects.get().pk) is False
    assert mailoutbox == []


def test_birthday_gifts_are_issued_once_per_member_per_year(
    birthday_settings, member, mailoutbox, django_capture_on_commit_callbacks
):
    member.birthday = timezone.localdate().replace(year=1990)
    member.save()
    consent_to_email(member.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert gifts.issue_birthday_gifts() == 1
        assert gifts.issue_birthday_gifts() == 0
    assert MemberGift.objects.count() == 1 and len(mailoutbox) == 1


def test_the_voucher_is_valid_from_days_before_to_days_after_in_the_store_time_zone(
    birthday_settings, member
):
    birthday_settings.OSCAR_LOYALTY_BIRTHDAY_DAYS_BEFORE = 2
    member.birthday = date(1990, 6, 10)
    member.save()
    assert gifts.issue_birthday_gifts(now=local_noon(date(2026, 6, 7))) == 0
    assert gifts.issue_birthday_gifts(now=local_noon(date(2026, 6, 8))) == 1
    voucher = MemberGift.objects.get().voucher
    assert voucher.start_datetime == datetime(2026, 6, 8, tzinfo=STORE)
    assert voucher.end_datetime.astimezone(STORE).date() == date(2026, 6, 17)
    assert voucher.end_datetime.astimezone(STORE).hour == 23


def test_just_after_midnight_in_the_store_is_already_the_birthday(birthday_settings, member):
    member.birthday = date(1990, 11, 24)
    member.save()
    # 22:30 UTC on the 23rd is 00:30 on the 24th in Jerusalem.
    now = datetime(2026, 11, 23, 22, 30, tzinfo=ZoneInfo("UTC"))
    assert gifts.issue_birthday_gifts(now=now) == 1
    assert MemberGift.objects.get().occasion == date(2026, 11, 24)


def test_a_29_february_birthday_is_celebrated_on_28_february_in_common_years(
    birthday_settings, member
):
    member.birthday = date(2004, 2, 29)
    member.save()
    assert gifts.issue_birthday_gifts(now=local_noon(date(2027, 2, 28))) == 1
    assert gifts.issue_birthday_gifts(now=local_noon(date(2028, 2, 28))) == 0
    assert gifts.issue_birthday_gifts(now=local_noon(date(2028, 2, 29))) == 1
    assert [g.occasion for g in MemberGift.objects.order_by("occasion")] == [
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]


def test_a_birthday_changed_recently_earns_no_gift_that_year(birthday_settings, member):
    now = local_noon(date(2026, 5, 1))
    member.birthday = date(1990, 5, 1)
    member.birthday_changed_at = now - timedelta(days=10)
    member.save()
    assert gifts.issue_birthday_gifts(now=now) == 0
    member.birthday_changed_at = now - timedelta(days=61)
    member.save()
    assert gifts.issue_birthday_gifts(now=now) == 1


def test_an_expired_member_gets_no_birthday_gift(birthday_settings, member):
    member.birthday = timezone.localdate().replace(year=1990)
    member.expires_at = timezone.now() - timedelta(days=1)
    member.save()
    assert gifts.issue_birthday_gifts() == 0


def test_the_daily_command_issues_the_gifts_of_the_day_it_is_given(
    birthday_settings, member, capsys
):
    member.birthday = date(1990, 3, 15)
    member.save()
    call_command("loyalty_birthdays", "--date", "2026-03-15")
    assert "Issued 1 birthday gift(s)." in capsys.readouterr().out
    assert MemberGift.objects.get().occasion == date(2026, 3, 15)


def test_a_missing_gift_offer_is_reported_and_nothing_is_issued(settings, member):
    settings.OSCAR_LOYALTY_BIRTHDAY_OFFER = "no-such-offer"
    member.birthday = timezone.localdate().replace(year=1990)
    member.save()
    with pytest.raises(GiftUnavailable):
        gifts.issue_birthday_gifts()
    assert not MemberGift.objects.exists()


def test_joining_gives_the_welcome_voucher_once(
    settings, gift_offer, free_plan, django_capture_on_commit_callbacks
):
    settings.OSCAR_LOYALTY_WELCOME_GIFT = "voucher"
    settings.OSCAR_LOYALTY_WELCOME_OFFER = gift_offer.slug
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        member = membership_services.join_club(user)
    gift = MemberGift.objects.get(member=member, kind=MemberGift.WELCOME)
    assert gift.voucher.usage == "Single use"
    assert gifts.issue_welcome_gift(member) is None
    assert MemberGift.objects.filter(member=member).count() == 1


def test_joining_can_give_welcome_points_instead(
    settings, free_plan, django_capture_on_commit_callbacks
):
    from oscar_loyalty.apps.points.models import PointsEntry

    settings.OSCAR_LOYALTY_WELCOME_GIFT = "points"
    settings.OSCAR_LOYALTY_WELCOME_POINTS = 50
    with django_capture_on_commit_callbacks(execute=True):
        member = membership_services.join_club(UserFactory())
    assert MemberGift.objects.get(member=member).points == 50
    assert list(
        PointsEntry.objects.filter(account__member=member).values_list("points", flat=True)
    ) == [50]


def test_no_welcome_gift_by_default(free_plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership_services.join_club(UserFactory())
    assert not MemberGift.objects.exists()


def test_the_gifts_page_sends_a_non_member_to_the_join_page(guest_client):
    response = guest_client.get(reverse("loyalty:offers"))
    assert response.status_code == 302 and response["Location"] == reverse("loyalty:join")


def test_only_the_owner_sees_a_gift_on_the_gifts_page(
    birthday_settings, member, client, free_plan
):
    member.birthday = timezone.localdate().replace(year=1990)
    member.save()
    gifts.issue_birthday_gifts()
    other = MemberFactory(plan=free_plan)
    client.force_login(other.user)
    html = client.get(reverse("loyalty:offers")).content.decode()
    assert MemberGift.objects.get().voucher.code not in html


def test_the_birthday_task_issues_the_gifts_due_today(birthday_settings, member):
    from oscar_loyalty.apps.offers.tasks import issue_birthday_gifts

    member.birthday = timezone.localdate().replace(year=1990)
    member.save()
    result = issue_birthday_gifts.enqueue()  # the test settings run tasks inline
    assert result.return_value == 1
    assert MemberGift.objects.filter(member=member, kind=MemberGift.BIRTHDAY).exists()


def test_the_checks_name_the_exact_gift_setting_that_is_wrong(settings):
    from oscar_loyalty.apps.offers.checks import check_gift_settings

    settings.OSCAR_LOYALTY_WELCOME_GIFT = "coupon"
    settings.OSCAR_LOYALTY_BIRTHDAY_DAYS_AFTER = -1
    errors = {e.id: e.msg for e in check_gift_settings()}
    assert "OSCAR_LOYALTY_WELCOME_GIFT" in errors["oscar_loyalty.E_WELCOME_GIFT"]
    assert "OSCAR_LOYALTY_BIRTHDAY_DAYS_AFTER" in errors["oscar_loyalty.E_BIRTHDAY_DAYS_AFTER"]
    settings.OSCAR_LOYALTY_WELCOME_GIFT = "voucher"
    settings.OSCAR_LOYALTY_BIRTHDAY_DAYS_AFTER = 7
    [error] = check_gift_settings()
    assert (
        error.id == "oscar_loyalty.E_WELCOME_OFFER" and "OSCAR_LOYALTY_WELCOME_OFFER" in error.msg
    )


def test_the_check_warns_when_a_gift_offer_is_not_a_members_only_voucher_offer(
    settings, gift_offer
):
    from oscar_loyalty.apps.offers.checks import check_gift_offers

    settings.OSCAR_LOYALTY_BIRTHDAY_OFFER = gift_offer.slug
    assert check_gift_offers() == []
    settings.OSCAR_LOYALTY_BIRTHDAY_OFFER = "some-site-offer"
    [warning] = check_gift_offers()
    assert warning.id == "oscar_loyalty.W_BIRTHDAY_OFFER"
    assert "OSCAR_LOYALTY_BIRTHDAY_OFFER" in warning.msg
