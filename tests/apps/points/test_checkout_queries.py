"""What spending points costs the checkout in queries: constant in the lines, none on thank-you."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.apps.offer.applicator import Applicator
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_product

from oscar_loyalty.apps.points import redemption
from oscar_loyalty.apps.points.models import PointsRedemption
from tests.apps.points.conftest import credit, make_basket
from tests.checkout import add_to_basket, place_order
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")


def offer_pass_queries(lines: int) -> int:
    """Queries of Oscar's offer pass over a request's fresh basket with points applied."""
    member = MemberFactory()
    credit(member, 10_000)
    basket = make_basket(member.user, prices=[D("10.00")] * lines)
    redemption.reserve_points(basket, member.user, 100)
    # As the basket middleware loads it on the next request: lines not priced yet.
    fresh = Basket.objects.get(pk=basket.pk)
    fresh.strategy = Selector().strategy(user=member.user)
    with CaptureQueriesContext(connection) as captured:
        Applicator().apply(fresh, member.user)
    assert redemption.points_discount(fresh) == D("1.00")
    # Oscar's own per-line pricing afterwards (its basket-validity check on the
    # checkout pages) finds the stock records loaded too.
    with CaptureQueriesContext(connection) as after:
        for line in fresh.all_lines():
            fresh.strategy.fetch_for_line(line)
    assert len(after) == 0
    return len(captured)


def test_the_points_discount_prices_a_basket_of_six_lines_with_the_queries_of_one(
    points_settings,
):
    # A first pass fills what each process keeps for a while (the tier perks'
    # snapshot, the tier-only products): paid once per process, not per line.
    offer_pass_queries(1)
    assert offer_pass_queries(6) == offer_pass_queries(1)


def test_the_thank_you_page_shows_the_points_without_asking_the_database(points_settings):
    member = MemberFactory()
    credit(member, 5000)
    client = Client()
    client.force_login(member.user)
    add_to_basket(client, create_product(price=D("120.00"), num_in_stock=10))
    response = client.post(reverse("loyalty:points-apply"), {"points": "2000"})
    assert response.status_code == 302
    order = place_order(client)

    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("checkout:thank-you"))
    text = page.content.decode()
    assert "Points spent: 2000" in text
    assert "Points this order earns: 100" in text
    # Oscar's totals, as Oscar would show them (the offer's name, the total
    # before discounts) without asking for either.
    totals = " ".join(text[text.index('id="basket_totals"') :].split())
    assert 'total (before discounts)</td> <td class="text-right">₪120.00' in totals
    assert 'Discount</span> Club points</td> <td class="text-right">- ₪20.00' in totals
    sql = [q["sql"] for q in captured.captured_queries]
    assert not [q for q in sql if "offer_conditionaloffer" in q or 'SUM("order_line"' in q], sql
    club = [q for q in sql if "loyalty_" in q]
    # The club context, which every page reads (membership, points account...).
    assert len(club) == 1 and club[0].startswith('SELECT "auth_user"."id"'), club
    assert PointsRedemption.objects.get(order=order).captured_points == 2000

    # Another order's page (the customer's order history) reads the database.
    detail = client.get(reverse("customer:order", args=[order.number]))
    assert "Points spent: 2000" in detail.content.decode()
