"""Joining through the API: plans, the consent wording shown and echoed back, paid plans."""

import pytest
from django.urls import reverse
from django.utils import translation
from oscar.test.factories import UserFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.consent.wording import MARKETING, get_wording
from oscar_loyalty.apps.membership.models import Member
from tests.checkout import place_order
from tests.concurrency import postgres_races, run_in_threads

from .conftest import assert_problem, url

pytestmark = pytest.mark.django_db

EVIDENCE = ("purpose", "channel", "action", "source", "wording_version", "wording_text",
            "ip_address", "user_agent", "email_hash")  # fmt: skip


@pytest.fixture
def shopper(db):
    return UserFactory(email="noa@example.com", first_name="Noa")


@pytest.fixture
def shopper_client(shopper):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=shopper).key}")
    return client


def shown(client, channel: str, **headers) -> dict:
    """The wording the app shows beside ``channel``'s box, as GET join/ gives it."""
    consents = client.get(url("join"), **headers).json()["consents"]
    wording = next(c for c in consents if c["channel"] == channel)
    return {"channel": channel, "version": wording["version"], "text": wording["text"]}


def test_the_plans_are_listed_with_prices_and_names_in_the_callers_language(free_plan, vip_plan):
    vip_plan.translations = {"he": {"name": "וי.איי.פי"}}
    vip_plan.save()
    anonymous = APIClient()
    plans = anonymous.get(url("plans")).json()
    assert [p["code"] for p in plans] == ["club", "vip"]
    club, vip = plans
    assert (club["is_paid"], club["how_to_join"], club["product"]) == (False, "join", None)
    assert vip["price"]["amount"] == "99.00" and vip["how_to_join"] == "basket"
    assert vip["product"] == vip_plan.product_id and vip["period_months"] == 12
    hebrew = anonymous.get(url("plans"), HTTP_ACCEPT_LANGUAGE="he").json()
    assert hebrew[1]["name"] == "וי.איי.פי" and plans[1]["name"] == "VIP"


def test_an_inactive_plan_is_not_offered(free_plan, vip_plan):
    vip_plan.is_active = False
    vip_plan.save()
    assert [p["code"] for p in APIClient().get(url("plans")).json()] == ["club"]


def test_the_join_form_gives_the_free_plans_and_each_offered_channels_exact_wording(
    free_plan, vip_plan, settings
):
    settings.OSCAR_LOYALTY_CONSENT_CHANNELS_OFFERED = ("email", "sms")
    body = APIClient().get(url("join")).json()
    assert [p["code"] for p in body["plans"]] == ["club"]
    assert [c["channel"] for c in body["consents"]] == ["email", "sms"]
    email = body["consents"][0]
    current = get_wording(MARKETING, "email")
    assert (email["version"], email["text"]) == (current.version, current.text)
    assert body["requires_first_name"] is False


def test_joining_records_the_consent_with_the_same_evidence_as_the_web_join_form(
    free_plan, shopper, shopper_client, client
):
    response = shopper_client.post(
        url("join"),
        {"plan": "club", "consents": [shown(shopper_client, "email")]},
        format="json",
        HTTP_USER_AGENT="ClubApp/2.1",
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 201, response.content
    assert response.json()["plan"]["code"] == "club" and response.json()["status"] == "active"
    member = Member.objects.get(user=shopper)
    api_record = ConsentRecord.objects.get(user=shopper)

    # The same shopper's twin on the web join page, same client details.
    twin = UserFactory(email="noa@example.com", first_name="Noa")
    shopper.email = "gone@example.com"
    shopper.save()
    client.force_login(twin)
    client.post(
        reverse("loyalty:join"),
        {"plan": free_plan.pk, "consent_email": "on"},
        HTTP_USER_AGENT="ClubApp/2.1",
        REMOTE_ADDR="203.0.113.9",
    )
    web_record = ConsentRecord.objects.get(user=twin)
    assert [getattr(api_record, f) for f in EVIDENCE] == [getattr(web_record, f) for f in EVIDENCE]
    assert api_record.wording_text == get_wording(MARKETING, "email").text
    assert member.language == "en"


def test_an_unticked_box_records_nothing(free_plan, shopper, shopper_client):
    response = shopper_client.post(url("join"), {}, format="json")
    assert response.status_code == 201
    assert Member.objects.get(user=shopper).plan == free_plan  # the default plan
    assert not ConsentRecord.objects.filter(user=shopper).exists()


def test_a_wording_altered_by_the_client_is_refused_and_nothing_is_recorded(
    free_plan, shopper, shopper_client
):
    consent = shown(shopper_client, "email")
    consent["text"] = consent["text"].replace("I can withdraw at any time.", "")
    response = shopper_client.post(url("join"), {"consents": [consent]}, format="json")
    assert_problem(response, 409, "consent-wording-changed")
    assert not Member.objects.filter(user=shopper).exists()
    assert not ConsentRecord.objects.exists()


def test_a_wording_changed_since_it_was_shown_is_refused(
    free_plan, shopper, shopper_client, settings
):
    consent = shown(shopper_client, "sms")
    settings.OSCAR_LOYALTY_CONSENT_WORDING = {
        "marketing:sms": {"version": "2027-01", "text": consent["text"]}
    }
    response = shopper_client.post(url("join"), {"consents": [consent]}, format="json")
    assert_problem(response, 409, "consent-wording-changed")
    assert not Member.objects.exists() and not ConsentRecord.objects.exists()


def test_the_wording_is_the_one_in_the_callers_language(free_plan, shopper, shopper_client):
    hebrew = shown(shopper_client, "email", HTTP_ACCEPT_LANGUAGE="he")
    with translation.override("he"):
        assert hebrew["text"] == get_wording(MARKETING, "email").text
    english_request = shopper_client.post(url("join"), {"consents": [hebrew]}, format="json")
    assert_problem(english_request, 409, "consent-wording-changed")
    response = shopper_client.post(
        url("join"), {"consents": [hebrew]}, format="json", HTTP_ACCEPT_LANGUAGE="he"
    )
    assert response.status_code == 201, response.content
    assert ConsentRecord.objects.get(user=shopper).wording_text == hebrew["text"]
    assert Member.objects.get(user=shopper).language == "he"


def test_a_channel_the_store_does_not_offer_is_a_400(free_plan, shopper_client, settings):
    settings.OSCAR_LOYALTY_CONSENT_CHANNELS_OFFERED = ("email",)
    consent = {"channel": "post", "version": "x", "text": "y"}
    body = assert_problem(
        shopper_client.post(url("join"), {"consents": [consent]}, format="json"),
        400,
        "invalid-request",
    )
    assert "consents" in body["errors"]
    assert not Member.objects.exists()


def test_already_a_member_is_a_409_and_records_no_new_consent(free_plan, shopper, shopper_client):
    assert shopper_client.post(url("join"), {}, format="json").status_code == 201
    again = shopper_client.post(
        url("join"), {"consents": [shown(shopper_client, "sms")]}, format="json"
    )
    assert_problem(again, 409, "already-member")
    assert not ConsentRecord.objects.exists()


def test_an_unknown_plan_is_a_400_naming_the_field_and_a_paid_plan_is_bought_instead(
    free_plan, vip_plan, shopper_client
):
    body = assert_problem(
        shopper_client.post(url("join"), {"plan": "gold"}, format="json"), 400, "invalid-request"
    )
    assert "plan" in body["errors"]
    body = assert_problem(
        shopper_client.post(url("join"), {"plan": "vip"}, format="json"), 409, "plan-unavailable"
    )
    assert "basket" in body["detail"]
    assert not Member.objects.exists()


def test_a_user_without_a_first_name_gives_it_as_on_the_web_form(free_plan):
    user = UserFactory(first_name="")
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(url("join")).json()["requires_first_name"] is True
    body = assert_problem(client.post(url("join"), {}, format="json"), 400, "invalid-request")
    assert "first_name" in body["errors"]
    assert client.post(url("join"), {"first_name": "Dana"}, format="json").status_code == 201
    user.refresh_from_db()
    assert user.first_name == "Dana"


def test_joining_needs_a_sign_in(free_plan):
    assert_problem(APIClient().post(url("join"), {}, format="json"), 401)


def test_a_paid_plan_goes_into_the_basket_and_the_order_makes_the_member(
    free_plan, vip_plan, shopper, shopper_client, client
):
    response = shopper_client.post(url("basket-plan"), {"plan": "vip"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["quantity"] == 1 and body["basket_total"]["amount"] == "99.00"
    client.force_login(shopper)  # the same basket, checked out on the web
    order = place_order(client, requires_shipping=False)
    member = Member.objects.get(user=shopper)
    assert member.plan == vip_plan and member.terms.filter(order=order).exists()
    assert shopper_client.get(url("membership")).json()["plan"]["code"] == "vip"


def test_a_free_or_unknown_plan_cannot_go_into_the_basket(free_plan, shopper_client):
    body = assert_problem(
        shopper_client.post(url("basket-plan"), {"plan": "club"}, format="json"),
        409,
        "plan-unavailable",
    )
    assert "join" in body["detail"]
    assert_problem(
        shopper_client.post(url("basket-plan"), {"plan": "../x"}, format="json"),
        400,
        "invalid-request",
    )


def test_a_plan_whose_product_cannot_be_bought_is_refused_as_the_product_page_would(
    vip_plan, shopper, shopper_client
):
    from oscar.core.loading import get_model

    stockrecord = vip_plan.product.stockrecords.get()
    stockrecord.price = None  # no price: Oscar's strategy says it is not for sale
    stockrecord.save()
    assert_problem(
        shopper_client.post(url("basket-plan"), {"plan": "vip"}, format="json"),
        409,
        "plan-unavailable",
    )
    assert not get_model("basket", "Line").objects.filter(basket__owner=shopper).exists()


class TestConcurrentJoins:
    pytestmark = postgres_races("two API joins at once")

    def test_two_joins_at_once_make_one_member_and_record_the_consent_once(
        self, free_plan, shopper
    ):
        key = Token.objects.create(user=shopper).key

        def join(index):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            return client.post(
                url("join"), {"consents": [shown(client, "email")]}, format="json"
            ).status_code

        results, errors = run_in_threads(join, 2)
        assert sorted(results) == [201, 409] and not errors
        assert Member.objects.filter(user=shopper).count() == 1
        assert ConsentRecord.objects.filter(user=shopper).count() == 1
