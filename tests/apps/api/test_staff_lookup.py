"""``staff/members/lookup/``: staff with the permission find a member; others learn nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.apps.points.conftest import credit
from tests.factories import MemberFactory

from .conftest import assert_problem, url

pytestmark = pytest.mark.django_db

UserAddress = get_model("address", "UserAddress")
Country = get_model("address", "Country")


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def staff_client(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(
            codename="view_member", content_type__app_label="loyalty_membership"
        )
    )
    return client_for(user)


def lookup(client, **body):
    return client.post(url("staff-member-lookup"), body, format="json")


def test_staff_find_a_member_by_card_with_name_tier_and_points(staff_client, points_settings):
    member = MemberFactory(user__first_name="Dana", user__last_name="Levi")
    credit(member, 700)
    body = lookup(staff_client, card=member.formatted_number).json()
    [found] = body["members"]
    assert found["number"] == member.number
    assert (found["first_name"], found["last_name"]) == ("Dana", "Levi")
    assert found["points"] == {"balance": 700, "available": 700, "pending": 0}
    assert "email" not in found and "phone" not in found


def test_staff_find_a_member_by_email_whatever_its_case(staff_client):
    member = MemberFactory(user__email="dana.levi@example.com")
    MemberFactory(user__email="other@example.com")
    body = lookup(staff_client, email="Dana.Levi@Example.COM").json()
    assert [m["number"] for m in body["members"]] == [member.number]


def test_staff_find_a_member_by_phone_in_any_format(staff_client, settings):
    settings.PHONENUMBER_DEFAULT_REGION = "IL"
    member = MemberFactory()
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="IL", defaults={"name": "Israel", "printable_name": "Israel"}
    )
    UserAddress.objects.create(
        user=member.user, first_name="D", line1="Herzl 1", line4="Haifa",
        postcode="3100000", country=country, phone_number="+972525551234",
    )  # fmt: skip
    for typed in ("052-555-1234", "+972 52 555 1234"):
        body = lookup(staff_client, phone=typed).json()
        assert [m["number"] for m in body["members"]] == [member.number]


def test_staff_find_a_member_by_their_own_mobile_number_without_an_address(staff_client, settings):
    settings.PHONENUMBER_DEFAULT_REGION = None  # the club's region (IL) reads local numbers
    member = MemberFactory(phone="+972525559876")
    MemberFactory(phone="+972525550000")
    for typed in (
        "052-555-9876",
        "+972 52-555-9876",
        "０５２５５５９８７６",  # full-width digits
        "\u200f052-555-9876\u200f",  # RTL marks of a number copied from Hebrew text
    ):
        body = lookup(staff_client, phone=typed).json()
        assert [m["number"] for m in body["members"]] == [member.number]


def test_an_unknown_card_email_or_phone_is_the_same_404_problem(staff_client, settings):
    settings.PHONENUMBER_DEFAULT_REGION = "IL"
    MemberFactory(user__email="dana@example.com")
    details = {
        assert_problem(lookup(staff_client, **body), 404, "member-not-found")["detail"]
        for body in ({"email": "noa@example.com"}, {"phone": "050-765-4321"})
    }
    assert len(details) == 1
    assert_problem(lookup(staff_client, card="1" * 10), 404, "member-not-found")


def test_without_the_permission_the_answer_is_403_whatever_the_member(db):
    member = MemberFactory(user__email="dana@example.com")
    for user in (UserFactory(), UserFactory(is_staff=True), member.user):
        client = client_for(user)
        known = lookup(client, email="dana@example.com")
        unknown = lookup(client, email="nobody@example.com")
        invalid = lookup(client, email=["not", "an", "email"])
        for response in (known, unknown, invalid):
            assert_problem(response, 403)
        assert known.json() == unknown.json() == invalid.json()
    assert_problem(lookup(APIClient(), card=member.number), 401)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"card": "1", "email": "a@example.com"},
        {"email": "not an address"},
        {"email": "x" * 300 + "@example.com"},
        {"phone": "call me"},
        {"phone": 5},
        {"card": ["1234"]},
        {"card": "٤٨٢١٩٣٧٤٦٥"},  # Arabic-Indic digits
        {"card": "4821\u202e9374"},
    ],
)
def test_hostile_lookups_are_4xx_problems(staff_client, body):
    response = lookup(staff_client, **body)
    assert 400 <= response.status_code < 500
    assert_problem(response, response.status_code)


def test_every_lookup_counts_against_the_staff_users_limit(staff_client, settings):
    settings.OSCAR_LOYALTY_API_STAFF_LOOKUP_RATE_LIMIT = (2, 600)
    member = MemberFactory()
    lookup(staff_client, email="nobody@example.com")
    assert lookup(staff_client, card=member.number).status_code == 200
    response = lookup(staff_client, card=member.number)
    assert_problem(response, 429, "rate-limited")
    assert response["Retry-After"] == "600"


def test_a_superuser_may_look_up(db):
    member = MemberFactory()
    client = client_for(UserFactory(is_staff=True, is_superuser=True))
    assert lookup(client, card=member.number).status_code == 200
