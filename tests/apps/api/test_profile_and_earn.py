"""``me/profile/`` and ``me/basket/earn/``: the web profile's rules, the basket page's figure."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import CategoryFactory, UserFactory
from rest_framework.test import APIClient

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points.earning import preview_points
from tests.apps.points.conftest import make_basket
from tests.factories import MemberFactory

from .conftest import assert_problem, url

pytestmark = pytest.mark.django_db


def patch(client, body):
    return client.patch(url("profile"), body, format="json")


# Profile -------------------------------------------------------------------


def test_the_profile_shows_the_members_own_fields(member, token_client):
    other = MemberFactory(city="Eilat")
    Member.objects.filter(pk=member.pk).update(city="Haifa", birthday=date(1990, 5, 17))
    body = token_client.get(url("profile")).json()
    assert body["city"] == "Haifa" != other.city
    assert body["birthday"] == "1990-05-17"
    assert body["customer_type"] == "private"
    assert body["interests"] == []


def test_a_partial_update_changes_the_fields_sent_and_keeps_the_others(member, token_client):
    category = CategoryFactory(name="Garden")
    Member.objects.filter(pk=member.pk).update(city="Haifa", region="haifa")
    response = patch(
        token_client,
        {"birthday": "1985-02-01", "interests": [category.pk], "preferred_channels": ["sms"]},
    )
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert member.birthday == date(1985, 2, 1)
    assert (member.city, member.region) == ("Haifa", "haifa")
    assert member.preferred_channels == ["sms"]
    assert list(member.interests.all()) == [category]
    assert response.json()["interests"] == [{"id": category.pk, "name": "Garden"}]


def test_the_notice_channel_is_read_and_changed_like_the_other_fields(member, token_client):
    assert token_client.get(url("profile")).json()["notice_channel"] == "email"
    response = patch(token_client, {"notice_channel": "whatsapp", "city": "Akko"})
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert (member.notice_channel, member.city) == ("whatsapp", "Akko")
    # Another field alone keeps the channel chosen.
    assert patch(token_client, {"city": "Haifa"}).json()["notice_channel"] == "whatsapp"
    assert_problem(patch(token_client, {"notice_channel": "pigeon"}), 400, "invalid-request")
    member.refresh_from_db()
    assert (member.notice_channel, member.city) == ("whatsapp", "Haifa")


def test_a_changed_birthday_remembers_when_it_changed_as_on_the_web(member, token_client):
    Member.objects.filter(pk=member.pk).update(birthday=date(1990, 1, 1))
    patch(token_client, {"birthday": "1990-06-01"})
    member.refresh_from_db()
    assert member.birthday_changed_at is not None


def test_the_web_forms_rules_refuse_a_future_birthday_and_crossed_budgets(member, token_client):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = assert_problem(patch(token_client, {"birthday": tomorrow}), 400, "invalid-request")
    assert "future" in body["errors"]["birthday"][0]
    body = assert_problem(
        patch(token_client, {"budget_min": "500", "budget_max": "100"}), 400, "invalid-request"
    )
    assert "budget_max" in body["errors"]
    member.refresh_from_db()
    assert member.birthday is None and member.budget_min is None


def test_a_business_name_is_dropped_for_a_private_customer_as_on_the_web(member, token_client):
    body = patch(token_client, {"customer_type": "private", "business_name": "Acme"}).json()
    assert body["business_name"] == ""
    body = patch(token_client, {"customer_type": "business", "business_name": "Acme"}).json()
    assert body["business_name"] == "Acme"


@pytest.mark.parametrize(
    "body",
    [
        {"city": {"nested": "object"}},
        {"city": ["a", "list"]},
        {"city": "x" * 129},
        {"birthday": 19900101},
        {"birthday": "not a date"},
        {"interests": "1,2"},
        {"interests": [True]},
        {"interests": [2**40]},
        {"preferred_channels": ["carrier pigeon"]},
        {"region": "\u202eatlantis"},
        {"language": "xx-not-a-language"},
        {"budget_min": "1e400"},
        {"customer_type": None},
    ],
)
def test_hostile_profile_input_is_a_400_problem_and_changes_nothing(member, token_client, body):
    before = Member.objects.filter(pk=member.pk).values().get()
    assert_problem(patch(token_client, body), 400, "invalid-request")
    assert Member.objects.filter(pk=member.pk).values().get() == before


def test_an_interest_that_is_not_a_top_level_category_is_refused(member, token_client):
    from oscar.apps.catalogue.categories import create_from_breadcrumbs

    child = create_from_breadcrumbs("Garden > Roses")
    body = assert_problem(patch(token_client, {"interests": [child.pk]}), 400)
    assert "interests" in body["errors"]
    assert not member.interests.exists()


def test_unicode_text_is_kept_as_typed(member, token_client):
    body = patch(token_client, {"city": "תל אביב-יפו 🌊"}).json()
    assert body["city"] == "תל אביב-יפו 🌊"


def test_the_profile_is_the_callers_own_and_a_non_member_has_none(member, token_client):
    other = MemberFactory()
    patch(token_client, {"city": "Akko"})
    other.refresh_from_db()
    assert other.city != "Akko"
    client = APIClient()
    client.force_login(UserFactory())
    assert_problem(client.get(url("profile")), 404, "not-a-member")
    assert_problem(APIClient().get(url("profile")), 401)


# You will earn ---------------------------------------------------------------


def test_you_will_earn_is_the_basket_pages_figure(member, points_settings):
    basket = make_basket(member.user, prices=[D("100.00"), D("50.00")])
    web = Client()
    web.force_login(member.user)
    page = web.get(reverse("basket:summary")).content.decode()
    api = APIClient()
    api.force_login(member.user)
    body = api.get(url("basket-earn")).json()
    assert body["points"] == 150 == preview_points(basket, member)
    assert "You will earn 150 points" in page
    assert sorted(line["points"] for line in body["lines"]) == [50, 100]
    line = body["lines"][0]
    assert line["line_id"] in set(basket.lines.values_list("pk", flat=True))
    assert line["amount"]["currency"] == basket.currency


def test_a_token_client_gets_the_members_open_basket(member, token_client, points_settings):
    make_basket(member.user, prices=[D("80.00")])
    make_basket(MemberFactory().user, prices=[D("999.00")])  # another member's, never read
    assert token_client.get(url("basket-earn")).json()["points"] == 80


def test_a_lapsed_member_or_a_non_member_earns_nothing(member, token_client, points_settings):
    make_basket(member.user, prices=[D("80.00")])
    Member.objects.filter(pk=member.pk).update(status=Member.EXPIRED)
    assert token_client.get(url("basket-earn")).json() == {"points": 0, "lines": []}
    client = APIClient()
    user = UserFactory()
    make_basket(user, prices=[D("80.00")])
    client.force_login(user)
    assert client.get(url("basket-earn")).json()["points"] == 0
