"""Who may call the API: a member by token or by session with CSRF, only about themselves."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import MemberFactory

from .conftest import assert_problem, url

pytestmark = pytest.mark.django_db

ME = ("membership", "card", "card-qr-svg", "card-qr-png", "points", "points-history", "tier")


@pytest.mark.parametrize("name", ME)
def test_an_anonymous_request_gets_a_401_problem_asking_for_a_token(name):
    response = APIClient().get(url(name))
    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_gets_a_401_problem(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert_problem(client.get(url("points")), 401, "authentication-failed")


def test_anonymous_cannot_apply_points(db):
    assert_problem(APIClient().post(url("basket-points"), {"points": 5}, format="json"), 401)


def test_every_resource_is_the_callers_own_and_takes_no_id(member, token_client):
    other = MemberFactory()
    for name in ("membership", "card"):
        body = token_client.get(url(name), {"member": other.pk, "user": other.user.pk}).json()
        assert body["number"] == member.number
    # The other member's token shows the other member.
    other_client = APIClient()
    other_client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=other.user).key}"
    )
    assert other_client.get(url("membership")).json()["number"] == other.number


def test_a_session_request_reads_without_a_csrf_token(member, session_client):
    assert session_client.get(url("membership")).json()["number"] == member.number


def test_a_session_request_that_changes_something_needs_the_csrf_token(member, session_client):
    body = assert_problem(
        session_client.post(url("basket-points"), {"points": 5}, format="json"), 403
    )
    assert "CSRF" in body["detail"]


def test_a_token_request_needs_no_csrf_token(member, token_client, points_settings):
    # Refused for the empty basket, not for CSRF.
    response = token_client.post(url("basket-points"), {"points": 5}, format="json")
    assert_problem(response, 409, "redemption-not-allowed")


def test_a_member_signs_in_for_a_token_and_signs_out(member):
    member.user.set_password("secret-pass-1")
    member.user.save()
    client = APIClient()
    response = client.post(
        url("token"), {"email": member.user.email, "password": "secret-pass-1"}, format="json"
    )
    assert response.status_code == 200
    key = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(url("membership")).json()["number"] == member.number
    assert client.delete(url("token")).status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert_problem(client.get(url("membership")), 401)


def test_a_wrong_password_gets_a_problem_and_no_token(member):
    response = APIClient().post(
        url("token"), {"email": member.user.email, "password": "wrong"}, format="json"
    )
    assert_problem(response, 400, "invalid-credentials")
    assert not Token.objects.exists()


def test_token_sign_ins_are_rate_limited_per_client(member, settings):
    settings.OSCAR_LOYALTY_API_TOKEN_RATE_LIMIT = (2, 600)
    client = APIClient()
    for _ in range(2):
        client.post(url("token"), {"email": member.user.email, "password": "x"}, format="json")
    response = client.post(
        url("token"), {"email": member.user.email, "password": "x"}, format="json"
    )
    assert_problem(response, 429, "rate-limited")
    assert response["Retry-After"] == "600"
