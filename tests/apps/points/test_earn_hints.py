"""Earn-N-points hints on product pages and lists: the earning policy, no query per product."""

import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import RangeFactory, UserFactory, create_product

from oscar_loyalty.apps.points.models import PointsEarning
from oscar_loyalty.apps.points.policies import DefaultEarningPolicy, EarningPolicy, get_policy
from tests.checkout import add_to_basket, place_order
from tests.factories import MemberFactory, MemberPriceFactory, PointsPromotionFactory, TierFactory

pytestmark = pytest.mark.django_db


def hints(html: str) -> list[int]:
    return [
        int(n) for n in re.findall(r'class="loyalty-earn-hint[^"]*" data-points="(\d+)"', html)
    ]


def list_url(products):
    # Oscar's range page lists products straight from the database (the
    # catalogue index needs a search engine the test settings lack).
    product_range = RangeFactory(is_public=True, products=list(products))
    return reverse("catalogue:range", kwargs={"slug": product_range.slug})


@pytest.fixture
def gold_member(points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "1"
    tier = TierFactory(points_multiplier=D("2"), qualifying_spend=D("0"))
    return MemberFactory(tier=tier)


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_member_sees_on_the_product_page_the_points_the_order_then_earns(gold_member):
    PointsPromotionFactory(multiplier=D("1.5"))
    product = create_product(price=D("40.00"), num_in_stock=10)
    client = client_for(gold_member.user)
    html = client.get(product.get_absolute_url()).content.decode()
    # The policy's own number: 40 x 1 point x tier 2 x promotion 1.5.
    expected = get_policy().quote_price(
        product, _price(gold_member.user, product), gold_member, now=_now()
    )
    assert expected == 120
    assert hints(html) == [expected]
    assert "Earn 120 club points" in html
    add_to_basket(client, product)
    order = place_order(client)
    assert PointsEarning.objects.get(order=order).points == expected


def test_a_product_list_shows_every_products_hint_at_the_members_price(gold_member):
    olive = create_product(price=D("10.00"), num_in_stock=10)
    bread = create_product(price=D("7.49"), num_in_stock=10)
    MemberPriceFactory(stockrecord=bread.stockrecords.get(), price=D("5.00"))
    html = client_for(gold_member.user).get(list_url([olive, bread])).content.decode()
    # Earned on what the member pays: 5.00 for the bread, not 7.49.
    assert sorted(hints(html)) == [10, 20]


def test_guests_read_what_a_member_joining_today_would_earn(points_settings):
    TierFactory(points_multiplier=D("3"), qualifying_spend=D("0"))
    TierFactory(points_multiplier=D("5"), qualifying_spend=D("1000"))
    product = create_product(price=D("10.00"), num_in_stock=10)
    html = client_for().get(product.get_absolute_url()).content.decode()
    assert hints(html) == [30]
    assert "Club members earn 30 points" in html


def test_a_signed_in_shopper_who_is_not_a_member_reads_the_members_hint(points_settings):
    product = create_product(price=D("12.00"), num_in_stock=10)
    html = client_for(UserFactory()).get(list_url([product])).content.decode()
    assert "Club members earn 12 points" in html


def test_a_free_product_shows_no_hint(gold_member):
    product = create_product(price=D("0.00"), num_in_stock=10)
    html = client_for(gold_member.user).get(list_url([product])).content.decode()
    assert hints(html) == []


class QuietPolicy(DefaultEarningPolicy):
    """A store's policy that says nothing about single products."""

    def quote_price(self, product, price, member, *, now):
        return EarningPolicy.quote_price(self, product, price, member, now=now)


def test_a_store_policy_that_cannot_quote_a_product_shows_no_hint(gold_member, settings):
    settings.OSCAR_LOYALTY_POINTS_EARNING_POLICY = f"{__name__}.QuietPolicy"
    product = create_product(price=D("10.00"), num_in_stock=10)
    html = client_for(gold_member.user).get(product.get_absolute_url()).content.decode()
    assert hints(html) == []


def list_queries(user, count: int, *, fragments: bool = True) -> int:
    products = [create_product(price=D("10.00"), num_in_stock=10) for _ in range(count)]
    MemberPriceFactory(stockrecord=products[0].stockrecords.get(), price=D("9.00"))
    url = list_url(products)
    client = client_for(user)
    client.get(url)  # sessions, first-use rows
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    assert len(hints(html)) == (count if fragments else 0)
    return len(captured)


@pytest.mark.parametrize("who", ["member", "guest"])
def test_the_hints_and_badges_cost_a_list_of_four_products_at_most_one_query(
    gold_member, who, monkeypatch
):
    user = gold_member.user if who == "member" else None
    with_lines = list_queries(user, 4)
    from oscar_loyalty.templatetags import loyalty_club

    original = loyalty_club.fragments_for
    monkeypatch.setattr(
        loyalty_club,
        "fragments_for",
        lambda slot: [] if slot == "product_list" else original(slot),
    )
    without = list_queries(user, 4, fragments=False)
    # Members: none (the club context has the tier and promotion, the price
    # book its rows); guests: none either once the process has read the
    # joining tier and promotion (the warm-up page in ``list_queries`` did).
    assert with_lines - without == 0


def test_a_guest_page_reads_the_joining_tier_once_then_the_process_keeps_it(points_settings):
    from oscar_loyalty.apps.points import hints as hints_module

    TierFactory(points_multiplier=D("3"), qualifying_spend=D("0"))
    product = create_product(price=D("10.00"), num_in_stock=10)
    client = client_for()
    client.get(product.get_absolute_url())  # session and first-use rows
    hints_module.forget_joining_member()
    with CaptureQueriesContext(connection) as cold:
        assert hints(client.get(product.get_absolute_url()).content.decode()) == [30]
    with CaptureQueriesContext(connection) as warm:
        assert hints(client.get(product.get_absolute_url()).content.decode()) == [30]
    assert len(cold) - len(warm) == 1


def test_a_promotion_staff_save_shows_in_the_guests_hint_at_once(points_settings):
    TierFactory(points_multiplier=D("1"), qualifying_spend=D("0"))
    product = create_product(price=D("10.00"), num_in_stock=10)
    client = client_for()
    assert hints(client.get(product.get_absolute_url()).content.decode()) == [10]
    PointsPromotionFactory(multiplier=D("2"))
    assert hints(client.get(product.get_absolute_url()).content.decode()) == [20]


def test_the_kept_joining_tier_is_read_again_after_its_time_to_live():
    from datetime import timedelta

    from django.utils import timezone

    from oscar_loyalty.apps.points import hints as hints_module

    now = timezone.now()
    first = hints_module.joining_member(now=now)
    assert hints_module.joining_member(now=now + timedelta(seconds=59)) is first
    later = hints_module.joining_member(now=now + timedelta(seconds=hints_module.JOINING_TTL))
    assert later is not first
    # A clock that went back (another process's moment) is not trusted either.
    assert hints_module.joining_member(now=now) is not later


def test_a_member_sees_the_member_price_badge_with_the_regular_price_in_a_list(gold_member):
    olive = create_product(price=D("10.00"), num_in_stock=10)
    MemberPriceFactory(stockrecord=olive.stockrecords.get(), price=D("8.00"))
    member_html = client_for(gold_member.user).get(list_url([olive])).content.decode()
    assert "Member price" in member_html and "Regular price <del>₪10.00</del>" in member_html
    guest_html = client_for().get(list_url([olive])).content.decode()
    assert "loyalty-member-price-badge" not in guest_html


def _price(user, product):
    from oscar_loyalty.apps.offers.strategy import Selector

    return Selector().strategy(user=user).fetch_for_product(product).price


def _now():
    from django.utils import timezone

    return timezone.now()
