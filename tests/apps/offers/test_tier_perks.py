"""Tier perks as Oscar offers: shipping for a tier and early access, through Oscar's checkout."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.apps.shipping.methods import FixedPrice
from oscar.core.loading import get_class
from oscar.test.factories import RangeFactory, UserFactory

from oscar_loyalty.apps.offers import perks, services
from oscar_loyalty.exceptions import OffersError
from tests.checkout import ADDRESS, add_to_basket, ensure_country
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db
Repository = get_class("shipping.repository", "Repository")


class Standard(FixedPrice):
    code, name = "standard", "Standard"


class Express(FixedPrice):
    code, name = "express", "Express"


@pytest.fixture(autouse=True)
def charged_shipping(monkeypatch):
    """Oscar's default store ships free; these tests need a charge to discount."""
    monkeypatch.setattr(
        Repository, "methods", (Standard(D("20.00"), D("20.00")), Express(D("40.00"), D("40.00")))
    )
    perks.forget_rules()
    yield
    perks.forget_rules()


@pytest.fixture
def gold(db):
    return TierFactory(name="Gold", code="gold", qualifying_spend=D("500"))


@pytest.fixture
def everything(product):
    return RangeFactory(name="Everything", includes_all_products=True)


@pytest.fixture
def gold_free_shipping(gold, everything):
    return services.save_tier_perk_offer(
        name="Free shipping for Gold",
        tiers=[gold],
        range=everything,
        benefit_type="Shipping fixed price",
        benefit_value=D("0.00"),
    )


def client_for(member):
    client = Client()
    client.force_login(member.user)
    return client


def checkout(client, product):
    """Oscar's checkout views, step by step; the placed order."""
    from tests.checkout import Order

    ensure_country()
    add_to_basket(client, product)
    client.get(reverse("checkout:index"), follow=True)
    assert client.post(reverse("checkout:shipping-address"), ADDRESS).status_code == 302
    page = client.get(reverse("checkout:shipping-method"))
    assert page.status_code == 200  # two methods: the shopper chooses
    response = client.post(reverse("checkout:shipping-method"), {"method_code": "standard"})
    assert response.status_code == 302
    client.get(reverse("checkout:payment-method"), follow=True)
    assert client.get(reverse("checkout:preview")).status_code == 200
    before = set(Order.objects.values_list("pk", flat=True))
    response = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert response.status_code == 302, response.content[:1500]
    return page, Order.objects.exclude(pk__in=before).get()


def test_a_gold_member_ships_free_through_oscars_checkout(
    free_plan, gold, gold_free_shipping, product
):
    member = MemberFactory(user=UserFactory(), plan=free_plan, tier=gold)
    page, order = checkout(client_for(member), product)
    assert order.shipping_incl_tax == D("0.00")
    assert order.total_incl_tax == D("10.00")
    assert "Free shipping for Gold members" in page.content.decode()
    assert "Your tier" in page.content.decode()


def test_another_tiers_member_pays_for_shipping_and_sees_the_gold_perk(
    free_plan, tier, gold_free_shipping, product
):
    member = MemberFactory(user=UserFactory(), plan=free_plan, tier=tier)  # Silver
    page, order = checkout(client_for(member), product)
    assert order.shipping_incl_tax == D("20.00")
    content = page.content.decode()
    assert "Free shipping for Gold members" in content and "Your tier" not in content


def test_a_guests_basket_gets_no_shipping_perk(gold_free_shipping, product):
    # The store does not allow guest checkout: Oscar's own offer applicator and
    # shipping repository, on a guest's basket, as the shipping step would use them.
    from oscar.test.factories import BasketFactory

    Applicator = get_class("offer.applicator", "Applicator")
    Selector = get_class("partner.strategy", "Selector")
    basket = BasketFactory()
    basket.strategy = Selector().strategy()
    basket.add_product(product)
    Applicator().apply(basket)
    method = Repository().get_shipping_methods(basket)[0]
    assert method.calculate(basket).incl_tax == D("20.00")
    assert not basket.shipping_discounts


def test_an_expired_gold_member_pays_for_shipping(free_plan, gold, gold_free_shipping, product):
    member = MemberFactory(
        user=UserFactory(),
        plan=free_plan,
        tier=gold,
        expires_at=timezone.now() - timedelta(days=1),
    )
    page, order = checkout(client_for(member), product)
    assert order.shipping_incl_tax == D("20.00")


def test_a_discounted_shipping_perk_takes_its_amount_off(free_plan, gold, everything, product):
    services.save_tier_perk_offer(
        name="Half-price shipping for Gold",
        tiers=[gold],
        range=everything,
        benefit_type="Shipping percentage",
        benefit_value=D("50"),
    )
    member = MemberFactory(user=UserFactory(), plan=free_plan, tier=gold)
    page, order = checkout(client_for(member), product)
    assert order.shipping_incl_tax == D("10.00")
    assert "50% off shipping for Gold members" in page.content.decode()


def test_early_access_admits_the_tier_before_everyone_and_everyone_after(
    free_plan, gold, tier, product, everything
):
    now = timezone.now()
    services.save_tier_perk_offer(
        name="Winter sale",
        tiers=[gold],
        range=everything,
        benefit_type="Percentage",
        benefit_value=D("20"),
        starts_at=now - timedelta(days=1),
        everyone_from=now + timedelta(days=1),
    )
    gold_client = client_for(MemberFactory(user=UserFactory(), plan=free_plan, tier=gold))
    silver_client = client_for(MemberFactory(user=UserFactory(), plan=free_plan, tier=tier))
    guest = Client()
    for client in (gold_client, silver_client, guest):
        add_to_basket(client, product)

    def total(client):
        return client.get(reverse("basket:summary")).context["basket"].total_incl_tax

    assert (total(gold_client), total(silver_client), total(guest)) == (
        D("8.00"),
        D("10.00"),
        D("10.00"),
    )
    later = now + timedelta(days=1, minutes=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert (total(gold_client), total(silver_client), total(guest)) == (
            D("8.00"),
            D("8.00"),
            D("8.00"),
        )


def test_a_rule_change_reaches_the_cached_rules(free_plan, gold, tier, gold_free_shipping):
    condition = gold_free_shipping.condition
    assert perks.rules()[condition.pk].tier_ids == {gold.pk}
    services.save_tier_perk_offer(
        name="Free shipping for Silver",
        tiers=[tier],
        range=condition.range,
        benefit_type="Shipping fixed price",
        benefit_value=D("0.00"),
        offer=gold_free_shipping,
    )
    assert perks.rules()[condition.pk].tier_ids == {tier.pk}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"tiers": []}, "tiers"),
        ({"range": None}, "range"),
        ({"benefit_value": D("-1")}, "zero or more"),
        ({"everyone_from": timezone.now() - timedelta(days=9)}, "after"),
    ],
)
def test_a_tier_perk_offer_refuses_bad_input(gold, everything, overrides, message):
    values = {
        "name": "Bad",
        "tiers": [gold],
        "range": everything,
        "benefit_type": "Shipping fixed price",
        "benefit_value": D("0"),
        "starts_at": timezone.now(),
    }
    with pytest.raises(OffersError, match=message):
        services.save_tier_perk_offer(**{**values, **overrides})


def test_oscars_offer_dashboard_lists_the_tier_perk(admin_client, gold_free_shipping):
    response = admin_client.get(reverse("dashboard:offer-list"))
    assert response.status_code == 200
    assert "Free shipping for Gold" in response.content.decode()
    detail = admin_client.get(reverse("dashboard:offer-detail", args=[gold_free_shipping.pk]))
    assert detail.status_code == 200
    assert "Gold members" in detail.content.decode()
