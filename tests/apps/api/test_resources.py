"""The member's resources: membership, card, points, history and tier."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.points.models import PointsLot
from tests.apps.points.conftest import credit
from tests.factories import MemberFactory, TierFactory

from .conftest import assert_problem, url

pytestmark = pytest.mark.django_db


def test_the_membership_shows_the_members_own_number_plan_and_status(member, token_client):
    MemberFactory()  # another member, never shown
    body = token_client.get(url("membership")).json()
    assert body["number"] == member.number
    assert body["plan"]["code"] == member.plan.slug
    assert body["status"] == "active"
    assert body["has_benefits"] is True
    assert body["joined_at"]


def test_a_signed_in_user_who_is_not_a_member_gets_a_404_problem(db):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(UserFactory())
    for name in ("membership", "card", "tier", "points-history", "card-qr-svg"):
        assert_problem(client.get(url(name)), 404, "not-a-member")


def test_the_card_gives_the_number_and_links_to_its_qr_code_as_svg_and_png(member, token_client):
    body = token_client.get(url("card")).json()
    assert body["number"] == member.number
    assert body["qr_svg"].endswith("/api/club/me/card/qr.svg")
    svg = token_client.get(body["qr_svg"])
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.lstrip().startswith(b"<?xml") and b"<svg" in svg.content
    assert "no-store" in svg["Cache-Control"]
    png = token_client.get(body["qr_png"])
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")


def test_the_qr_code_is_the_members_own_number(member, token_client):
    from oscar_loyalty.apps.membership.numbers import card_qr_png, card_qr_svg_document

    other = MemberFactory()
    png = token_client.get(url("card-qr-png")).content
    assert png == card_qr_png(member.number) != card_qr_png(other.number)
    assert token_client.get(url("card-qr-svg")).content == card_qr_svg_document(member.number)


def test_points_show_balance_value_pending_and_expiring_lots_by_day(
    member, token_client, points_settings
):
    now = timezone.now()
    credit(member, 1500)
    credit(member, 500)
    soon = now + timedelta(days=10)
    later = now + timedelta(days=40)
    lots = list(PointsLot.objects.filter(account__member=member).order_by("pk"))
    PointsLot.objects.filter(pk=lots[0].pk).update(expires_at=soon)
    PointsLot.objects.filter(pk=lots[1].pk).update(expires_at=later)
    body = token_client.get(url("points")).json()
    assert body["balance"] == 2000
    assert body["available"] == 2000
    assert body["pending"] == 0
    assert body["value"] == {"amount": "20.00", "currency": "ILS"}
    assert [e["points"] for e in body["expiring"]] == [1500, 500]
    assert body["expiring"][0]["date"] == timezone.localdate(soon).isoformat()


def test_points_of_a_member_without_lots_are_zero(member, token_client):
    body = token_client.get(url("points")).json()
    assert (body["balance"], body["expiring"]) == (0, [])


def test_the_points_cost_one_query_after_the_token_is_checked(
    member, token_client, points_settings, django_assert_num_queries
):
    credit(member, 700)
    credit(member, 300)
    with django_assert_num_queries(2):  # the token (with its user), then the points
        response = token_client.get(url("points"))
    assert response.json()["balance"] == 1000


def test_the_history_pages_by_cursor_newest_first(member, token_client, points_settings):
    for points in range(1, 6):
        credit(member, points)
    first = token_client.get(url("points-history"), {"page_size": 2}).json()
    assert [e["points"] for e in first["results"]] == [5, 4]
    assert first["previous"] is None
    second = token_client.get(first["next"]).json()
    assert [e["points"] for e in second["results"]] == [3, 2]
    third = token_client.get(second["next"]).json()
    assert [e["points"] for e in third["results"]] == [1]
    assert third["next"] is None
    assert first["results"][0]["reason"] == "Test credit"


@pytest.mark.parametrize("rows", [1, 50])
def test_a_history_page_costs_the_same_queries_whatever_its_length(
    member, token_client, points_settings, django_assert_num_queries, rows
):
    for _ in range(rows):
        credit(member, 10)
    # The token, the member, the page of entries (with their orders).
    with django_assert_num_queries(3):
        body = token_client.get(url("points-history"), {"page_size": 50}).json()
    assert len(body["results"]) == rows


def test_the_tier_shows_progress_to_the_next(member, token_client):
    silver = TierFactory(code="silver", name="Silver", qualifying_spend=D("0.00"))
    TierFactory(code="gold", name="Gold", qualifying_spend=D("1000.00"))
    type(member).objects.filter(pk=member.pk).update(tier=silver, qualifying_spend=D("250.00"))
    body = token_client.get(url("tier")).json()
    assert body["tier"]["code"] == "silver"
    assert body["next_tier"]["code"] == "gold"
    assert body["remaining"] == "750.00"
    assert body["percent"] == 25


def test_by_session_the_points_cost_one_query_besides_what_every_page_pays(
    member, session_client, points_settings, django_assert_num_queries
):
    # Every request of a signed-in shopper pays the session, the user and
    # the club context (Oscar's basket middleware builds the strategy): the
    # points add one query to that, as the token path shows alone.
    credit(member, 1000)
    with django_assert_num_queries(4):
        response = session_client.get(url("points"))
    assert response.json()["balance"] == 1000
