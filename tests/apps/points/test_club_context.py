"""The club context: one query per request, answering as the database would."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_class

from oscar_loyalty.apps.membership.baskets import basket_member
from oscar_loyalty.apps.points import redemption, services
from oscar_loyalty.club import load_context
from tests.apps.points.conftest import credit, make_basket

pytestmark = pytest.mark.django_db

Selector = get_class("partner.strategy", "Selector")


class Request:
    def __init__(self, user, strategy=None):
        self.user, self.strategy = user, strategy


def test_the_context_is_one_query_and_agrees_with_the_balance_read(member, points_settings):
    credit(member, 700)
    basket = make_basket(member.user, prices=[D("100.00")])
    redemption.reserve_points(basket, member.user, 200)
    with CaptureQueriesContext(connection) as captured:
        context = load_context(member.user)
    assert len(captured) == 1
    summary = services.get_summary(member.user)
    assert (context.account.balance, context.reserved) == (summary.balance, summary.reserved)
    row = basket.loyalty_redemption
    # Read back from one JSON value: every field, the timestamp to the microsecond.
    found = context.redemption
    assert (found.pk, found.basket_id, found.account_id, found.points, found.expires_at) == (
        row.pk,
        basket.pk,
        row.account_id,
        200,
        row.expires_at,
    )
    assert found.is_live()


def test_a_requests_basket_finds_member_and_reservation_without_asking_again(
    member, points_settings
):
    credit(member, 700)
    basket = make_basket(member.user, prices=[D("100.00")])
    reserved = redemption.reserve_points(basket, member.user, 300)
    strategy = Selector().strategy(request=None, user=member.user)
    basket.strategy = strategy
    for attr in ("_loyalty_redemption", "_loyalty_member"):
        basket.__dict__.pop(attr, None)
    with CaptureQueriesContext(connection) as captured:
        found = redemption.redemption_for(basket)
        owner = basket_member(basket)
        summary = services.summary_for_request(Request(member.user, strategy))
    assert len(captured) == 0
    assert (found.pk, found.points, found.is_live()) == (reserved.pk, 300, True)
    assert owner.pk == member.pk
    assert (summary.balance, summary.reserved, summary.available) == (700, 300, 400)


def test_a_released_reservation_is_not_seen_as_live(member, points_settings):
    credit(member, 700)
    basket = make_basket(member.user, prices=[D("100.00")])
    redemption.reserve_points(basket, member.user, 300)
    redemption.release_points(basket, member.user)
    basket.strategy = Selector().strategy(user=member.user)
    basket.__dict__.pop("_loyalty_redemption", None)
    found = redemption.redemption_for(basket)
    assert found is None or not found.is_live()
