"""Points on the current basket through the API: the web page's service, answered as JSON."""

from decimal import Decimal as D

import pytest
from oscar.core.loading import get_model

from oscar_loyalty.apps.points.models import PointsRedemption
from tests.apps.points.conftest import credit, make_basket
from tests.concurrency import postgres_races, run_in_threads

from .conftest import assert_problem, url

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")


def apply(client, **body):
    return client.post(url("basket-points"), body, format="json")


def test_applying_points_reserves_them_and_lowers_the_basket_total(
    member, token_client, points_settings
):
    credit(member, 5000)
    basket = make_basket(member.user, prices=[D("100.00")])
    response = apply(token_client, points=2000)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["points"] == 2000
    assert body["value"] == {"amount": "20.00", "currency": basket.currency}
    assert body["basket_total"]["amount"] == "80.00"
    row = PointsRedemption.objects.get(basket=basket)
    assert (row.status, row.points) == (PointsRedemption.RESERVED, 2000)


def test_use_max_applies_as_many_points_as_the_basket_takes(member, token_client, points_settings):
    credit(member, 900)
    make_basket(member.user, prices=[D("100.00")])
    assert apply(token_client, use_max=True).json()["points"] == 900


def test_removing_points_releases_the_reservation(member, token_client, points_settings):
    credit(member, 5000)
    basket = make_basket(member.user, prices=[D("100.00")])
    apply(token_client, points=1000)
    assert token_client.delete(url("basket-points")).status_code == 204
    assert PointsRedemption.objects.get(basket=basket).status == PointsRedemption.RELEASED
    # The next request's basket is whole again.
    assert apply(token_client, points=100).json()["basket_total"]["amount"] == "99.00"


def test_applying_through_a_session_with_its_csrf_token_works(
    member, session_client, points_settings
):
    credit(member, 5000)
    make_basket(member.user, prices=[D("50.00")])
    session_client.get(url("membership"))  # no cookie needed to read
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    session_client.cookies["csrftoken"] = secret
    response = session_client.post(
        url("basket-points"),
        {"points": 500},
        format="json",
        HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret),
    )
    assert response.status_code == 200, response.content
    assert response.json()["basket_total"]["amount"] == "45.00"


def test_more_points_than_the_balance_is_a_409_problem(member, token_client, points_settings):
    credit(member, 100)
    make_basket(member.user, prices=[D("100.00")])
    body = assert_problem(apply(token_client, points=500), 409, "insufficient-points")
    assert "100 points available" in body["detail"]
    assert not PointsRedemption.objects.exists()


def test_an_empty_basket_is_a_409_problem(member, token_client, points_settings):
    credit(member, 1000)
    Basket.objects.create(owner=member.user)
    body = assert_problem(apply(token_client, points=100), 409, "redemption-not-allowed")
    assert "empty" in body["detail"]


def test_a_malformed_amount_is_a_400_problem_naming_the_field(
    member, token_client, points_settings
):
    make_basket(member.user)
    body = assert_problem(apply(token_client, points="lots"), 400, "invalid-request")
    assert "points" in body["errors"]
    body = assert_problem(apply(token_client), 400, "invalid-request")
    assert body["errors"]["non_field_errors"] == ["Enter how many points to apply."]


def test_a_non_member_cannot_apply_points(db, points_settings):
    from oscar.test.factories import UserFactory
    from rest_framework.test import APIClient

    user = UserFactory()
    make_basket(user)
    client = APIClient()
    client.force_authenticate(user)
    assert_problem(apply(client, points=100), 409, "redemption-not-allowed")


def test_applying_is_rate_limited_with_the_web_pages_budget(
    member, token_client, points_settings, client
):
    points_settings.OSCAR_LOYALTY_POINTS_RATE_LIMIT = (2, 600)
    credit(member, 5000)
    make_basket(member.user)
    client.force_login(member.user)
    client.post("/club/points/apply/", {"points": "100"})  # the web page spends one
    apply(token_client, points=100)
    response = apply(token_client, points=100)
    assert_problem(response, 429, "rate-limited")
    assert response["Retry-After"] == "600"


def test_applying_twice_on_one_basket_holds_the_points_once(member, token_client, points_settings):
    credit(member, 5000)
    basket = make_basket(member.user, prices=[D("100.00")])
    apply(token_client, points=3000)
    second = apply(token_client, points=3000)
    assert second.json()["basket_total"]["amount"] == "70.00"
    rows = PointsRedemption.objects.filter(basket=basket, status=PointsRedemption.RESERVED)
    assert [r.points for r in rows] == [3000]
    # 2000 left: a third request for more than that, on another basket, is refused.
    basket.submit()
    make_basket(member.user, prices=[D("100.00")])
    assert_problem(apply(token_client, points=2500), 409, "insufficient-points")


def test_a_basket_paid_for_by_another_request_meanwhile_takes_no_more_points(
    member, token_client, points_settings, monkeypatch
):
    # The request loaded the basket; before it reserves, another request
    # (a second tab, the checkout) freezes it. The service reads the status
    # under the lock, as for a stale tab on the web (tests/apps/points/test_adversity.py).
    from oscar_loyalty.apps.api import views

    credit(member, 5000)
    basket = make_basket(member.user, prices=[D("100.00")])
    apply(token_client, points=1000)
    loaded = views.member_basket

    def loaded_then_frozen_elsewhere(request):
        stale = loaded(request)
        Basket.objects.filter(pk=stale.pk).update(status=Basket.FROZEN)
        return stale

    monkeypatch.setattr(views, "member_basket", loaded_then_frozen_elsewhere)
    assert_problem(apply(token_client, points=3000), 409, "redemption-not-allowed")
    row = PointsRedemption.objects.get(basket=basket)
    assert (row.status, row.points) == (PointsRedemption.RESERVED, 1000)


class TestConcurrentRequests:
    pytestmark = postgres_races("two API requests applying points to one basket")

    def test_two_requests_at_once_on_one_basket_never_hold_the_points_twice(
        self, member, points_settings
    ):
        from rest_framework.authtoken.models import Token
        from rest_framework.test import APIClient

        credit(member, 5000)
        basket = make_basket(member.user, prices=[D("100.00")])
        key = Token.objects.create(user=member.user).key

        def request(index):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            return apply(client, points=3000).status_code

        results, errors = run_in_threads(request, 2)
        assert sorted(results) == [200, 200] and not errors
        held = PointsRedemption.objects.filter(basket=basket, status=PointsRedemption.RESERVED)
        assert [r.points for r in held] == [3000]
