"""Oscar's pages that price every line read the lines' rows once (``oscar_loyalty.lines``).

Oscar's checkout views and basket page price each line (a stock record and a
product class per line). Read for the whole basket first, a member's checkout
pages cost the same queries for five lines as for one, with or without points
or perks, and so does a guest's basket page.
"""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from oscar.test.factories import create_product

from oscar_loyalty.lines import request_prices_every_line
from tests.checkout import add_to_basket, checkout_page_queries
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(db):
    return [create_product(title=f"Tea {i}", price=D("10.00"), num_in_stock=100) for i in range(5)]


def test_a_members_checkout_pages_cost_the_same_queries_for_five_lines_as_for_one(
    products, free_plan
):
    def measure(lines):
        client = Client()
        client.force_login(MemberFactory(plan=free_plan).user)
        # Twice, the second counted: a product's first page view fills what stays
        # filled (its missing image's placeholder), which is not the lines' pricing.
        checkout_page_queries(client, products, lines)
        return checkout_page_queries(client, products, lines)

    one, five = measure(1), measure(5)
    assert five == one, (one, five)


def test_a_guests_basket_page_costs_the_same_queries_for_five_lines_as_for_one(products):
    def measure(lines):
        client = Client()
        for product in products[:lines]:
            add_to_basket(client, product)
        client.get(reverse("basket:summary"))  # warm: the process's snapshots
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("basket:summary"))
        assert response.status_code == 200
        return len(queries)

    assert measure(5) == measure(1)


@pytest.mark.parametrize(
    ("url", "prices_every_line"),
    [
        (reverse("basket:summary"), True),
        (reverse("checkout:index"), True),
        (reverse("checkout:shipping-address"), True),
        (reverse("checkout:preview"), True),
        (reverse("checkout:thank-you"), False),
        (reverse("catalogue:index"), False),
        (reverse("customer:summary"), False),
    ],
)
def test_only_oscars_pages_that_price_every_line_read_the_lines_ahead(url, prices_every_line):
    request = RequestFactory().get(url)
    request.resolver_match = resolve(url)
    assert request_prices_every_line(request) is prices_every_line


def test_a_request_not_resolved_yet_reads_nothing_ahead():
    assert request_prices_every_line(RequestFactory().get("/")) is False
