"""Tier-only products ("Gold only"), refused through Oscar's own availability.

Every shopper goes through Oscar's real views: the add-to-basket form, the
basket page and the checkout up to the request that places the order.
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from oscar.test.factories import RangeFactory, UserFactory, create_product

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.offers import services, tier_only
from oscar_loyalty.apps.offers.tier_only import TierOnlyRange
from tests.checkout import ADDRESS, Order, ensure_country, place_order
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db
Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")


@pytest.fixture(autouse=True)
def _fresh_tier_only_products():
    tier_only.forget_tier_only_products()
    yield
    tier_only.forget_tier_only_products()


@pytest.fixture
def gold(db):
    return TierFactory(name="Gold", code="gold", qualifying_spend=D("500"))


@pytest.fixture
def gold_range(product):
    return RangeFactory(name="Gold collection", products=[product])


@pytest.fixture
def gold_only(gold, gold_range):
    return services.save_tier_only_range(range=gold_range, tiers=[gold])


def client_for(member):
    client = Client()
    client.force_login(member.user)
    return client


def add(client, product):
    """Oscar's add-to-basket view; the response after its redirect."""
    return client.post(
        reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1}, follow=True
    )


def basket_quantity(client) -> int:
    return client.get(reverse("basket:summary")).context["basket"].num_items


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.fixture
def gold_member(free_plan, gold):
    return MemberFactory(user=UserFactory(), plan=free_plan, tier=gold)


# Add to basket and buy ------------------------------------------------------------


def test_a_gold_member_adds_the_gold_only_product_and_buys_it(gold_member, gold_only, product):
    client = client_for(gold_member)
    add(client, product)
    assert basket_quantity(client) == 1
    order = place_order(client)
    assert [line.product_id for line in order.lines.all()] == [product.pk]


def test_a_silver_member_is_refused_at_add_to_basket_with_the_reason(
    member, member_client, gold_only, product
):
    response = add(member_client, product)
    assert "Only for Gold members" in messages_of(response)
    assert basket_quantity(member_client) == 0


def test_a_guest_is_refused_at_add_to_basket(gold_only, product):
    guest = Client()
    response = add(guest, product)
    assert "Only for Gold members" in messages_of(response)
    assert basket_quantity(guest) == 0


def test_a_signed_in_shopper_who_is_no_member_is_refused(guest_client, gold_only, product):
    add(guest_client, product)
    assert basket_quantity(guest_client) == 0


def test_an_expired_gold_member_is_refused(free_plan, gold, gold_only, product):
    expired = MemberFactory(
        user=UserFactory(), plan=free_plan, tier=gold, expires_at=timezone.now() - timedelta(1)
    )
    client = client_for(expired)
    response = add(client, product)
    assert "Only for Gold members" in messages_of(response)
    assert basket_quantity(client) == 0


def test_other_products_stay_open_to_every_shopper(member_client, gold_only, product):
    other = create_product(title="Bread", price=D("5.00"), num_in_stock=10)
    add(member_client, other)
    assert basket_quantity(member_client) == 1


def test_a_variant_of_a_gold_only_parent_is_gold_only(member_client, gold, gold_member):
    from oscar.test.factories import create_stockrecord

    parent = create_product(title="Gold jacket", structure="parent")
    child = create_product(title="Gold jacket M", parent=parent, structure="child")
    create_stockrecord(child, price=D("50.00"), num_in_stock=5)
    services.save_tier_only_range(
        range=RangeFactory(name="Jackets", products=[parent]), tiers=[gold]
    )
    add(member_client, child)
    assert basket_quantity(member_client) == 0
    gold_client = client_for(gold_member)
    add(gold_client, child)
    assert basket_quantity(gold_client) == 1


# Checkout: a basket filled earlier, a tier that changed -----------------------------


def _basket_filled_while_gold(gold_member, product):
    """A Gold member's basket with the product, walked to the preview."""
    client = client_for(gold_member)
    add(client, product)
    ensure_country()
    client.get(reverse("checkout:index"), follow=True)
    assert client.post(reverse("checkout:shipping-address"), ADDRESS).status_code == 302
    client.get(reverse("checkout:shipping-method"), follow=True)
    client.get(reverse("checkout:payment-method"), follow=True)
    assert client.get(reverse("checkout:preview")).status_code == 200
    return client


def _place_order_refused(client):
    PaymentEvent = get_model("order", "PaymentEvent")
    Source = get_model("payment", "Source")
    orders, events, sources = (
        Order.objects.count(),
        PaymentEvent.objects.count(),
        Source.objects.count(),
    )
    response = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("basket:summary"))
    # Nothing placed, nothing charged.
    assert (Order.objects.count(), PaymentEvent.objects.count(), Source.objects.count()) == (
        orders,
        events,
        sources,
    )
    return response


def test_a_stale_tab_whose_tier_dropped_is_refused_at_place_order(
    gold_member, tier, gold_only, product
):
    client = _basket_filled_while_gold(gold_member, product)
    # The other tab, or the daily recalculation: the member is Silver now.
    Member.objects.filter(pk=gold_member.pk).update(tier=tier)
    response = _place_order_refused(client)
    text = messages_of(response)
    assert "Olive oil" in text and "Only for Gold members" in text
    basket = Basket.objects.get(owner=gold_member.user, status=Basket.OPEN)
    assert basket.num_items == 1  # still there, for the shopper to remove
    summary = client.get(reverse("basket:summary")).content.decode()
    assert "is no longer available" in summary  # Oscar's line warning


def test_a_membership_that_ended_before_place_order_is_refused(gold_member, gold_only, product):
    client = _basket_filled_while_gold(gold_member, product)
    Member.objects.filter(pk=gold_member.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    _place_order_refused(client)


def test_the_same_basket_places_its_order_once_the_tier_is_back(
    gold_member, gold, tier, gold_only, product
):
    client = _basket_filled_while_gold(gold_member, product)
    Member.objects.filter(pk=gold_member.pk).update(tier=tier)
    _place_order_refused(client)
    Member.objects.filter(pk=gold_member.pk).update(tier=gold)
    assert place_order(client).lines.get().product_id == product.pk


# Early access ------------------------------------------------------------------------


def test_after_everyone_from_every_shopper_buys(member, member_client, gold, gold_range, product):
    opens = timezone.now() + timedelta(days=7)
    services.save_tier_only_range(range=gold_range, tiers=[gold], everyone_from=opens)
    guest = Client()
    add(member_client, product)
    add(guest, product)
    assert (basket_quantity(member_client), basket_quantity(guest)) == (0, 0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: opens)  # the edge itself: open
        add(member_client, product)
        add(guest, product)
        assert (basket_quantity(member_client), basket_quantity(guest)) == (1, 1)
        assert place_order(member_client).lines.get().product_id == product.pk


def test_a_second_before_everyone_from_the_product_is_still_gold_only(
    member, gold, gold_range, product
):
    opens = timezone.now() + timedelta(days=7)
    services.save_tier_only_range(range=gold_range, tiers=[gold], everyone_from=opens)
    assert tier_only.refusal(product, member, now=opens - timedelta(seconds=1))
    assert tier_only.refusal(product, member, now=opens) is None


# The product page ----------------------------------------------------------------------


def test_the_product_page_says_gold_members_only_to_everyone_else(
    member_client, gold_only, product
):
    page = member_client.get(product.get_absolute_url()).content.decode()
    assert "Only for Gold members" in page
    assert 'id="add_to_basket_form"' not in page  # Oscar shows no form for it


def test_the_product_page_tells_a_gold_member_it_is_their_tiers(gold_member, gold_only, product):
    page = client_for(gold_member).get(product.get_absolute_url()).content.decode()
    assert "Gold members only" in page and "your tier" in page
    assert 'id="add_to_basket_form"' in page


def test_the_product_page_says_when_everyone_may_buy(member_client, gold, gold_range, product):
    opens = timezone.now() + timedelta(days=7)
    services.save_tier_only_range(range=gold_range, tiers=[gold], everyone_from=opens)
    page = member_client.get(product.get_absolute_url()).content.decode()
    assert "Open to every shopper from" in page


# The process's copy ------------------------------------------------------------------------


def test_a_product_added_to_the_range_is_restricted_at_once_in_this_process(
    member, gold_only, gold_range
):
    later = create_product(title="Truffle oil", price=D("30.00"), num_in_stock=10)
    assert tier_only.refusal(later, member) is None  # the copy is now kept
    gold_range.add_product(later)
    assert tier_only.refusal(later, member) == "Only for Gold members"
    gold_range.remove_product(later)
    assert tier_only.refusal(later, member) is None


def test_saving_the_rule_changes_the_tiers_at_once(member, tier, gold_only, gold_range, product):
    assert tier_only.refusal(product, member) == "Only for Gold members"
    services.save_tier_only_range(range=gold_range, tiers=[tier])
    assert tier_only.refusal(product, member) is None
    services.remove_tier_only_range(range=gold_range)
    assert tier_only.tier_only_products() == {}


def test_the_copy_is_read_again_after_its_ttl(monkeypatch, member, gold, gold_range, product):
    assert tier_only.tier_only_products() == {}
    # Another process's save: no signal reaches this one.
    rule = TierOnlyRange.objects.bulk_create([TierOnlyRange(range=gold_range)])[0]
    rule.tiers.through.objects.bulk_create(
        [rule.tiers.through(tieronlyrange_id=rule.pk, tier_id=gold.pk)]
    )
    tier_only._products = ({}, tier_only._products[1])  # still the old copy
    assert tier_only.refusal(product, member) is None
    clock = tier_only.time.monotonic() + tier_only.PRODUCTS_TTL + 1
    monkeypatch.setattr(tier_only.time, "monotonic", lambda: clock)
    assert tier_only.refusal(product, member) == "Only for Gold members"


# Queries -----------------------------------------------------------------------------


def _product_page_queries(client, product) -> int:
    client.get(product.get_absolute_url())  # warm the process's copies
    with CaptureQueriesContext(connection) as queries:
        assert client.get(product.get_absolute_url()).status_code == 200
    return len(queries)


def test_a_store_without_tier_only_ranges_pays_no_query_for_them(member_client, product):
    with CaptureQueriesContext(connection) as cold:
        tier_only.tier_only_products()
    assert len(cold) == 1  # once a TTL per process: "is there any rule?"
    with CaptureQueriesContext(connection) as warm:
        for _ in range(3):
            assert tier_only.refusal(product, None) is None
    assert len(warm) == 0


def test_a_restricted_product_page_costs_no_query_more_than_an_open_one(
    member_client, gold, product
):
    open_product = create_product(title="Bread", price=D("5.00"), num_in_stock=10)
    services.save_tier_only_range(
        range=RangeFactory(name="Gold shelf", products=[product]), tiers=[gold]
    )
    restricted = _product_page_queries(member_client, product)
    unrestricted = _product_page_queries(member_client, open_product)
    assert restricted <= unrestricted


def test_the_basket_and_checkout_pages_pay_no_query_for_tier_only_products(
    gold_member, gold_only, product, django_assert_max_num_queries
):
    client = client_for(gold_member)
    add(client, product)
    client.get(reverse("basket:summary"))
    baseline = _count(client, reverse("basket:summary"))
    tier_only.forget_tier_only_products()
    tier_only.tier_only_products()  # warm again, outside the measured request
    with django_assert_max_num_queries(baseline):
        client.get(reverse("basket:summary"))


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


def test_reading_the_rules_again_costs_a_fixed_number_of_queries(gold, tier, product):
    for index in range(3):
        services.save_tier_only_range(
            range=RangeFactory(name=f"Shelf {index}", products=[product]), tiers=[gold, tier]
        )
    tier_only.forget_tier_only_products()
    with CaptureQueriesContext(connection) as queries:
        products = tier_only.tier_only_products()
    assert len(products[product.pk]) == 3
    # The rules, the tiers, the ranges, then Oscar's range queries (its checks for
    # children, classes, categories and exclusions, and the ids) for each range.
    assert len(queries) <= 3 + 3 * 5
