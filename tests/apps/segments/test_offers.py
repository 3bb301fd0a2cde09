"""Segments used by member prices and members-only offers."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import RangeFactory, create_product

from oscar_loyalty.apps.offers import services as offers
from oscar_loyalty.apps.offers.strategy import Selector
from oscar_loyalty.apps.segments import services
from tests.apps.offers.test_member_offers import add_voucher, spec
from tests.checkout import add_to_basket
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

HAIFA = {"op": "and", "rules": [{"type": "city", "params": {"cities": "Haifa"}}]}


def price_for(user, product):
    return Selector().strategy(user=user).fetch_for_product(product).price.excl_tax


@pytest.fixture
def haifa(db):
    return services.save_segment(name="Haifa", rules=HAIFA)


def test_a_member_price_limited_to_a_segment_is_only_for_its_members(
    member,
    product,
    haifa,
    free_plan,
):
    offers.set_member_price(product.stockrecords.get(), "7.00", segment=haifa)
    assert price_for(member.user, product) == D("10.00")
    member.city = "Haifa"
    member.save()
    assert price_for(member.user, product) == D("7.00")
    # Prices without a segment still apply to every member with benefits.
    other = create_product(title="Bread", price=D("5.00"), num_in_stock=5)
    offers.set_member_price(other.stockrecords.get(), "4.00")
    outsider = MemberFactory(plan=free_plan, city="Eilat")
    assert price_for(outsider.user, other) == D("4.00")
    assert price_for(outsider.user, product) == D("10.00")


def test_segment_member_prices_keep_the_product_list_query_count_constant(
    member,
    member_client,
    guest_client,
    haifa,
):
    member.city = "Haifa"
    member.save()
    product_range = RangeFactory(is_public=True)
    url = reverse("catalogue:range", kwargs={"slug": product_range.slug})
    north = services.save_segment(
        name="North",
        rules={"op": "and", "rules": [{"type": "region", "params": {"regions": ["north"]}}]},
    )

    def queries(client):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    extra = []
    for count in (4, 16):
        for i in range(count):
            item = create_product(title=f"P{count}-{i}", price=D("10.00"), num_in_stock=5)
            offers.set_member_price(
                item.stockrecords.get(), "8.00", segment=haifa if i % 2 else north
            )
            product_range.add_product(item)
        extra.append(queries(member_client) - queries(guest_client))
    assert extra[0] == extra[1]
    html = member_client.get(url).content.decode()
    assert html.count("₪8.00") == 10  # the Haifa half of 20 products


def test_a_members_only_offer_limited_to_a_segment_refuses_other_members(
    member,
    member_client,
    product,
    haifa,
):
    product_range = RangeFactory(products=[product])
    offers.save_member_offer(
        spec(product_range, offer_type="Voucher", voucher_code="HAIFA", segment=haifa)
    )
    add_to_basket(member_client, product)
    basket, messages = add_voucher(member_client, "HAIFA")
    assert "This offer is for another group of club members." in messages
    assert basket.total_excl_tax == D("10.00")
    member.city = "Haifa"
    member.save()
    basket, messages = add_voucher(member_client, "HAIFA")
    assert basket.total_excl_tax == D("9.00")


def test_the_offer_form_offers_the_segments(client, haifa, product):
    from oscar.test.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("loyalty_dashboard:loyalty-offers-create"))
    assert response.status_code == 200
    assert "Haifa" in response.content.decode()
