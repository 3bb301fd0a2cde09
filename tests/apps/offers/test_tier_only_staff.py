# ruff: noqa: F811 (fixtures imported from test_tier_only are parameters here)
"""Tier-only products from staff's side: the service's refusals and the dashboard page.

Split from ``test_tier_only.py`` (the shopper's side), whose fixtures these share.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_class
from oscar.test.factories import RangeFactory, UserFactory

from oscar_loyalty.apps.offers import services, tier_only
from oscar_loyalty.apps.offers.tier_only import TierOnlyRange
from oscar_loyalty.exceptions import OffersError
from tests.apps.offers.test_tier_only import (  # noqa: F401 (fixtures)
    _fresh_tier_only_products,
    gold,
    gold_member,
    gold_only,
    gold_range,
)
from tests.factories import TierFactory

pytestmark = pytest.mark.django_db
Selector = get_class("partner.strategy", "Selector")


# Hostile and bad input to the service ----------------------------------------------------


def test_the_service_refuses_a_range_of_every_product(gold):
    everything = RangeFactory(name="All", includes_all_products=True)
    with pytest.raises(OffersError, match="every product"):
        services.save_tier_only_range(range=everything, tiers=[gold])
    assert not TierOnlyRange.objects.exists()


def test_the_service_refuses_a_range_chosen_by_code(gold):
    coded = RangeFactory(name="Coded", proxy_class="oscar.apps.offer.models.Range")
    with pytest.raises(OffersError, match="by code"):
        services.save_tier_only_range(range=coded, tiers=[gold])


@pytest.mark.parametrize("tiers", [[], None, ["gold"], [TierFactory.build(pk=987654)]])
def test_the_service_refuses_tiers_that_are_not_saved_tiers(gold_range, tiers):
    with pytest.raises(OffersError, match="tiers"):
        services.save_tier_only_range(range=gold_range, tiers=tiers)
    assert not TierOnlyRange.objects.exists()


def test_the_service_refuses_a_naive_date(gold, gold_range):
    with pytest.raises(OffersError):
        services.save_tier_only_range(
            range=gold_range, tiers=[gold], everyone_from=timezone.now().replace(tzinfo=None)
        )


def test_the_strategy_outside_a_request_knows_the_member(gold_member, member, gold_only, product):
    gold_info = Selector().strategy(user=gold_member.user).fetch_for_product(product)
    silver_info = Selector().strategy(user=member.user).fetch_for_product(product)
    assert gold_info.availability.is_purchase_permitted(1) == (True, "")
    assert silver_info.availability.is_purchase_permitted(1) == (False, "Only for Gold members")


# The dashboard ---------------------------------------------------------------------------


def test_staff_make_a_range_gold_only_in_the_dashboard(admin_client, member, gold, gold_range):
    url = reverse("loyalty_dashboard:loyalty-offers-tier-only-create")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url, {"range": gold_range.pk, "tiers": [gold.pk], "everyone_from": ""}
    )
    assert response.status_code == 302
    rule = TierOnlyRange.objects.get(range=gold_range)
    assert list(rule.tiers.all()) == [gold] and rule.everyone_from is None
    listing = admin_client.get(reverse("loyalty_dashboard:loyalty-offers-tier-only-list"))
    assert "Gold collection" in listing.content.decode()
    # Restricted at once in this process: the form's save cleared the copy.
    product = gold_range.all_products().get()
    assert tier_only.refusal(product, member) == "Only for Gold members"


def test_staff_set_early_access_and_then_open_the_range_to_everyone(
    admin_client, member, gold, gold_only, product
):
    update = reverse("loyalty_dashboard:loyalty-offers-tier-only-update", args=[gold_only.pk])
    page = admin_client.get(update)
    assert page.status_code == 200 and "Gold collection" in page.content.decode()
    # The range cannot be swapped from under the rule (the field is disabled).
    other = RangeFactory(name="Other")
    response = admin_client.post(
        update, {"range": other.pk, "tiers": [gold.pk], "everyone_from": "2030-01-01T09:00"}
    )
    assert response.status_code == 302
    gold_only.refresh_from_db()
    assert gold_only.range_id != other.pk
    assert gold_only.everyone_from.year == 2030
    remove = reverse("loyalty_dashboard:loyalty-offers-tier-only-remove", args=[gold_only.pk])
    assert admin_client.post(remove).status_code == 302
    assert not TierOnlyRange.objects.exists()
    assert tier_only.refusal(product, member) is None


@pytest.mark.parametrize("tiers", [["987654"], ["gold"], ["-1"], ["١"], [""], []], ids=repr)
def test_the_dashboard_form_refuses_tiers_that_do_not_exist(admin_client, gold_range, tiers):
    url = reverse("loyalty_dashboard:loyalty-offers-tier-only-create")
    response = admin_client.post(url, {"range": gold_range.pk, "tiers": tiers})
    assert response.status_code == 200  # the form again, with its error
    assert response.context["form"].errors["tiers"]
    assert not TierOnlyRange.objects.exists()


@pytest.mark.parametrize("kind", ["everything", "by code", "missing", "text"])
def test_the_dashboard_form_refuses_a_range_of_another_kind(admin_client, gold, kind):
    range_id = {
        "everything": lambda: RangeFactory(name="All", includes_all_products=True).pk,
        "by code": lambda: (
            RangeFactory(name="Coded", proxy_class="oscar.apps.offer.models.Range").pk
        ),
        "missing": lambda: 987654,
        "text": lambda: "<script>alert(1)</script>",
    }[kind]()
    url = reverse("loyalty_dashboard:loyalty-offers-tier-only-create")
    response = admin_client.post(url, {"range": range_id, "tiers": [gold.pk]})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not TierOnlyRange.objects.exists()


def test_staff_without_the_permission_cannot_open_the_page(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    url = reverse("loyalty_dashboard:loyalty-offers-tier-only-list")
    assert client.get(url).status_code == 403
