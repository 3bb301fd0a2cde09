from datetime import date

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.membership import services
from oscar_loyalty.apps.membership.models import Member
from tests.checkout import add_to_basket, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(client):
    user = UserFactory(email="shopper@example.com", first_name="Dana")
    client.force_login(user)
    return user


def test_the_join_page_shows_the_plans_and_unticked_consent_boxes(client, free_plan, vip_plan):
    response = client.get(reverse("loyalty:join"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "VIP" in html and vip_plan.product.get_absolute_url() in html
    assert 'name="consent_email"' in html
    assert "checked" not in html.split('name="consent_email"')[1].split(">")[0]


def test_an_anonymous_visitor_is_asked_to_log_in_before_joining(client, free_plan):
    response = client.post(reverse("loyalty:join"), {"plan": free_plan.pk})
    assert response.status_code == 302 and reverse("customer:login") in response["Location"]
    assert not Member.objects.exists()


def test_a_shopper_joins_with_the_consents_they_ticked(client, shopper, free_plan):
    response = client.post(
        reverse("loyalty:join"),
        {"plan": free_plan.pk, "consent_email": "on"},
        HTTP_USER_AGENT="Chromium",
    )
    assert response.status_code == 302
    member = Member.objects.get(user=shopper)
    record = ConsentRecord.objects.get(user=shopper)
    assert (record.channel, record.source, record.user_agent) == ("email", "join", "Chromium")
    assert member.plan == free_plan


def test_joining_twice_from_the_page_shows_a_message_and_changes_nothing(
    client, shopper, free_plan
):
    client.post(reverse("loyalty:join"), {"plan": free_plan.pk})
    response = client.post(
        reverse("loyalty:join"), {"plan": free_plan.pk, "consent_sms": "on"}, follow=True
    )
    assert "already a member" in response.content.decode()
    assert Member.objects.filter(user=shopper).count() == 1
    assert not ConsentRecord.objects.filter(user=shopper).exists()


def test_the_card_page_shows_the_number_and_a_qr_code(client, shopper, free_plan):
    member = services.join_club(shopper)
    html = client.get(reverse("loyalty:card")).content.decode()
    assert member.formatted_number in html
    assert "<svg" in html
    assert "Personal card" in html


def test_account_pages_send_a_non_member_to_the_join_page(client, shopper, free_plan):
    for name in ("loyalty:card", "loyalty:membership", "loyalty:profile"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("loyalty:join")


def test_the_account_navigation_has_the_club_tabs(client, shopper, free_plan):
    services.join_club(shopper)
    html = client.get(reverse("customer:profile-view")).content.decode()
    assert reverse("loyalty:card") in html and reverse("loyalty:profile") in html


def test_a_member_edits_the_profile_with_a_29_february_birthday(client, shopper, free_plan):
    services.join_club(shopper)
    response = client.post(
        reverse("loyalty:profile"),
        {
            "birthday": "1992-02-29",
            "preferred_channels": ["email", "whatsapp"],
            "city": "Haifa",
            "region": "haifa",
            "customer_type": "private",
            "budget_min": "100",
            "budget_max": "500",
            "language": "he",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(user=shopper)
    assert member.birthday == date(1992, 2, 29)
    assert member.preferred_channels == ["email", "whatsapp"]
    assert member.language == "he"
    assert member.notice_channel == "email"  # not posted: the default stays


def test_a_member_chooses_to_get_club_notices_by_sms_on_the_profile_page(
    client, shopper, free_plan
):
    services.join_club(shopper)
    assert Member.objects.get(user=shopper).notice_channel == "email"
    page = client.get(reverse("loyalty:profile")).content.decode()
    assert 'name="notice_channel"' in page
    data = {"customer_type": "private", "notice_channel": "sms"}
    assert client.post(reverse("loyalty:profile"), data).status_code == 302
    assert Member.objects.get(user=shopper).notice_channel == "sms"
    data["notice_channel"] = "carrier pigeon"
    assert client.post(reverse("loyalty:profile"), data).status_code == 200  # refused
    assert Member.objects.get(user=shopper).notice_channel == "sms"


@pytest.mark.parametrize(
    ("birthday", "error"),
    [
        ("2999-01-01", "cannot be in the future"),
        ("1992-02-30", "valid date"),
        ("1800-01-01", "check the year"),
    ],
)
def test_an_invalid_birthday_gets_a_clear_error_and_nothing_changes(
    client, shopper, free_plan, birthday, error
):
    services.join_club(shopper)
    response = client.post(
        reverse("loyalty:profile"), {"birthday": birthday, "customer_type": "private"}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Member.objects.get(user=shopper).birthday is None


def test_a_budget_range_upside_down_is_refused(client, shopper, free_plan):
    services.join_club(shopper)
    response = client.post(
        reverse("loyalty:profile"),
        {"customer_type": "private", "budget_min": "500", "budget_max": "100"},
    )
    assert "must not be below" in response.content.decode()


def test_registering_with_the_join_box_ticked_makes_a_member_with_consent(client, free_plan):
    response = client.post(
        reverse("customer:register"),
        {
            "email": "new@example.com",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
            "join_club": "on",
            "consent_email": "on",
        },
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302
    member = Member.objects.get(user__email="new@example.com")
    record = ConsentRecord.objects.get(user=member.user)
    assert (record.source, record.channel, record.ip_address) == (
        "registration",
        "email",
        "198.51.100.7",
    )


def test_registering_without_the_join_box_makes_no_member_and_no_consent(client, free_plan):
    client.post(
        reverse("customer:register"),
        {
            "email": "plain@example.com",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
            "consent_email": "on",
        },
    )
    assert not Member.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_a_shopper_buys_the_paid_plan_through_the_real_checkout(
    client, shopper, free_plan, vip_plan
):
    services.join_club(shopper)
    add_to_basket(client, vip_plan.product)
    order = place_order(client, requires_shipping=False)
    member = Member.objects.get(user=shopper)
    assert member.plan == vip_plan and member.expires_at is not None
    assert member.terms.get(order=order)
    html = client.get(reverse("loyalty:card")).content.decode()
    assert "VIP" in html and "Transferable" in html
