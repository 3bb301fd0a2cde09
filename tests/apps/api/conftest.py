"""API clients: a member signed in by session (CSRF enforced) or by token."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.apps.points.conftest import member, points_settings  # noqa: F401  (fixtures)


@pytest.fixture
def session_client(member):  # noqa: F811
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member.user)
    return client


@pytest.fixture
def token_client(member):  # noqa: F811
    token = Token.objects.create(user=member.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(name: str) -> str:
    from django.urls import reverse

    return reverse(f"loyalty_api:{name}")


def assert_problem(response, status: int, kind: str | None = None) -> dict:
    """The response is RFC 9457 problem details with ``status``."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if kind is not None:
        assert body["type"] == f"urn:oscar-loyalty:problem:{kind}"
    return body
