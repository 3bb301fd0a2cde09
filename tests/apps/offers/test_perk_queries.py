"""Tier perks within the checkout's query budget: their ranges answered from memory.

Two perks run (free shipping on a range of every product for Gold, an early-access
sale on another range); Oscar's own basket and checkout views are measured with
Django's ``CaptureQueriesContext``, and the discounts compared with Oscar's own
applicator, which asks the database for every range and line.
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import default_class_loader, get_class, get_model
from oscar.test.factories import (
    BasketFactory,
    CategoryFactory,
    ProductClassFactory,
    RangeFactory,
    UserFactory,
    create_product,
)

from oscar_loyalty.apps.offers import perk_snapshot, perks, services
from tests.checkout import add_to_basket, checkout_page_queries
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db
Applicator = get_class("offer.applicator", "Applicator")
(OscarApplicator,) = default_class_loader("offer.applicator", ["Applicator"], "oscar.apps")
Selector = get_class("partner.strategy", "Selector")
ConditionalOffer = get_model("offer", "ConditionalOffer")


@pytest.fixture(autouse=True)
def fresh_snapshot():
    perks.forget_rules()
    yield
    perks.forget_rules()


@pytest.fixture
def gold(db):
    return TierFactory(name="Gold", code="gold", qualifying_spend=D("500"))


@pytest.fixture
def products(db):
    return [create_product(title=f"Tea {i}", price=D("10.00"), num_in_stock=100) for i in range(5)]


@pytest.fixture
def sale_range(products):
    return RangeFactory(name="Tea sale", products=products[:3])


@pytest.fixture
def two_perks(gold, sale_range):
    now = timezone.now()
    # Oscar's offers are exclusive: the sale goes first, shipping takes the other lines.
    shipping = services.save_tier_perk_offer(
        name="Free shipping for Gold",
        tiers=[gold],
        range=RangeFactory(name="Everything", includes_all_products=True),
        benefit_type="Shipping fixed price",
        benefit_value=D("0.00"),
    )
    sale = services.save_tier_perk_offer(
        name="Early tea sale",
        tiers=[gold],
        range=sale_range,
        benefit_type="Percentage",
        benefit_value=D("20"),
        starts_at=now - timedelta(days=1),
        everyone_from=now + timedelta(days=1),
    )
    sale.priority = 10
    sale.save()
    return shipping, sale


@pytest.fixture
def gold_member(free_plan, gold):
    return MemberFactory(user=UserFactory(), plan=free_plan, tier=gold)


def logged_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def create_two_perks(gold, sale_range):
    everything = RangeFactory(name="Everything", includes_all_products=True)
    for name, range_, benefit in (
        ("Ship", everything, "Shipping fixed price"),
        ("Sale", sale_range, "Percentage"),
    ):  # both satisfied for Gold: Oscar prices every line
        services.save_tier_perk_offer(
            name=name, tiers=[gold], range=range_, benefit_type=benefit, benefit_value=D("10")
        )


def test_two_running_perks_add_no_query_to_a_members_checkout_pages_for_one_line_or_five(
    products, free_plan, gold, sale_range
):
    def measure(lines):
        return checkout_page_queries(
            logged_in(MemberFactory(plan=free_plan, tier=gold)), products, lines
        )

    without = {lines: measure(lines) for lines in (1, 5)}
    create_two_perks(gold, sale_range)
    with_perks = {lines: measure(lines) for lines in (1, 5)}
    # Fewer, even: Oscar's checkout then finds the lines' stock records already read.
    for lines in (1, 5):
        for page, count in with_perks[lines].items():
            assert count <= without[lines][page], (lines, page)


def basket_for(user, products, applicator_class):
    basket = BasketFactory(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for product in products:
        basket.add_product(product, quantity=2)
    applicator_class().apply(basket, user)
    return basket


def discounts(basket) -> list[tuple[str, D]]:
    return sorted((d["name"], d["discount"]) for d in basket.offer_discounts)


def test_the_discounts_from_memory_equal_oscars_own_for_the_same_basket(
    two_perks, gold_member, products
):
    ours = basket_for(gold_member.user, products, Applicator)
    oscars = basket_for(gold_member.user, products, OscarApplicator)
    assert discounts(ours) == discounts(oscars)
    assert discounts(ours) == [("Early tea sale", D("12.00"))]
    assert ours.total_incl_tax == oscars.total_incl_tax
    assert ours.shipping_discounts and oscars.shipping_discounts


def member_total(client) -> D:
    return client.get(reverse("basket:summary")).context["basket"].total_incl_tax


def test_a_product_removed_from_the_range_loses_the_discount_on_the_next_request(
    two_perks, gold_member, products, sale_range
):
    client = logged_in(gold_member)
    add_to_basket(client, products[0])
    assert member_total(client) == D("8.00")
    sale_range.remove_product(products[0])
    assert member_total(client) == D("10.00")
    sale_range.add_product(products[0])
    assert member_total(client) == D("8.00")


def test_a_category_added_to_the_range_brings_its_products_in_on_the_next_request(
    two_perks, gold_member, products, sale_range
):
    client = logged_in(gold_member)
    outside = products[4]
    add_to_basket(client, outside)
    assert member_total(client) == D("10.00")
    teas = CategoryFactory(name="Teas")
    outside.categories.add(teas)
    assert member_total(client) == D("10.00")
    sale_range.included_categories.add(teas)
    assert member_total(client) == D("8.00")
    outside.categories.remove(teas)
    assert member_total(client) == D("10.00")


def test_a_perk_switched_off_or_ended_stops_on_the_next_request(two_perks, gold_member, products):
    _shipping, sale = two_perks
    client = logged_in(gold_member)
    add_to_basket(client, products[0])
    assert member_total(client) == D("8.00")
    sale.suspend()
    assert member_total(client) == D("10.00")
    sale.unsuspend()
    assert member_total(client) == D("8.00")
    ConditionalOffer.objects.filter(pk=sale.pk).update(
        end_datetime=timezone.now() - timedelta(seconds=1)
    )
    assert member_total(client) == D("10.00")


def test_a_guest_sees_a_range_change_on_the_next_request(two_perks, products, sale_range):
    now = timezone.now()
    perks.TierPerkRule.objects.filter(condition=two_perks[1].condition).update(
        everyone_from=now - timedelta(seconds=1)
    )
    perks.forget_rules()
    guest = Client()
    add_to_basket(guest, products[0])
    assert member_total(guest) == D("8.00")
    kept = perk_snapshot._snapshot
    sale_range.remove_product(products[0])  # as in another process: this one keeps its copy
    perk_snapshot._snapshot = kept
    # The token rides on Oscar's site-offer query, so the guest's request sees the bump.
    assert member_total(guest) == D("10.00")


def test_a_guests_request_reads_no_token_of_its_own(two_perks, products):
    perks.TierPerkRule.objects.filter(condition=two_perks[1].condition).update(
        everyone_from=timezone.now() - timedelta(seconds=1)
    )
    guest = Client()
    add_to_basket(guest, products[0])
    assert member_total(guest) == D("8.00")
    perk_snapshot._snapshot.checked_at -= perk_snapshot.GUEST_CHECK  # a quiet minute
    with CaptureQueriesContext(connection) as queries:
        assert member_total(guest) == D("8.00")
    own = 'SELECT "loyalty_offers_pricebookversion"'
    assert not [q for q in queries if q["sql"].startswith(own)]


def test_a_product_moved_to_another_type_is_seen_within_max_age(
    two_perks, gold_member, products, sale_range
):
    kind = ProductClassFactory(name="Loose leaf")
    sale_range.classes.add(kind)
    outside = products[4]
    client = logged_in(gold_member)
    add_to_basket(client, outside)
    assert member_total(client) == D("10.00")
    outside.product_class = kind
    outside.save()  # no signal the snapshot hears: at most MAX_AGE
    assert member_total(client) == D("10.00")
    perk_snapshot._snapshot.built_at -= perk_snapshot.MAX_AGE
    assert member_total(client) == D("8.00")


def test_a_member_between_token_bumps_costs_the_snapshot_no_query(two_perks, gold_member):
    token = perk_snapshot.current_token()
    built = perk_snapshot.snapshot(token)
    with CaptureQueriesContext(connection) as queries:
        assert perk_snapshot.snapshot(token) is built
    assert len(queries) == 0
    assert set(built.ranges) == {
        two_perks[0].condition.range_id,
        two_perks[1].condition.range_id,
    }


def test_a_guests_basket_with_the_shipping_perk_still_pays_shipping(two_perks, products):
    basket = basket_for(None, products[:1], Applicator)
    assert not basket.shipping_discounts
    assert perks.shipping_perks(basket)[0].yours is False
