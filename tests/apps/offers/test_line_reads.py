"""Oscar's pages that price every line read the lines' rows once (``oscar_loyalty.lines``).

Oscar's checkout views and basket page price each line (a stock record and a
product class per line). Read for the whole basket first (one query), a member's checkout
pages cost the same queries for five lines as for one, with or without points
or perks, and so does a guest's basket page.
"""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_basket, create_product, create_stockrecord

from oscar_loyalty.lines import priced_lines, request_prices_every_line
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


def test_a_variants_class_is_read_ahead_through_its_parent(products):
    # A variant has no class of its own: Oscar asks its parent's, which
    # ``priced_lines`` reads with the stock records (one join, no query per parent).
    Product = get_model("catalogue", "Product")
    shirt = create_product(title="Shirt", structure="parent")
    small = Product.objects.create(parent=shirt, structure="child", title="Shirt S")
    create_stockrecord(small, price=D("10.00"), num_in_stock=10)
    basket = create_basket(empty=True)
    basket.strategy = get_class("partner.strategy", "Selector")().strategy()
    basket.add_product(small)
    basket.add_product(products[0])
    fresh = type(basket).objects.get(pk=basket.pk)  # as a request reads it
    fresh.strategy = basket.strategy

    lines = priced_lines(fresh)
    with CaptureQueriesContext(connection) as queries:
        classes = {line.product.get_product_class() for line in lines}
        prices = {line.purchase_info.price.excl_tax for line in lines}
    assert classes == {shirt.product_class, products[0].product_class}
    assert prices == {D("10.00")}
    assert len(queries) == 0, [q["sql"] for q in queries]
