from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import RangeFactory, UserFactory

from oscar_loyalty.apps.offers import services
from oscar_loyalty.apps.offers.conditions import MemberOnlyCondition
from oscar_loyalty.apps.offers.services import MemberOfferSpec
from oscar_loyalty.apps.segments.services import save_segment
from oscar_loyalty.exceptions import InvalidPercentage, OffersError
from tests.checkout import add_to_basket
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db

ConditionalOffer = get_model("offer", "ConditionalOffer")
Voucher = get_model("voucher", "Voucher")


def spec(product_range, **overrides):
    values = {
        "name": "Club 10% off",
        "condition_type": "Count",
        "range": product_range,
        "condition_value": D("1"),
        "benefit_type": "Percentage",
        "benefit_value": D("10"),
    }
    return MemberOfferSpec(**{**values, **overrides})


@pytest.fixture
def product_range(product):
    return RangeFactory(products=[product])


@pytest.fixture
def voucher_offer(product_range):
    return services.save_member_offer(
        spec(product_range, offer_type="Voucher", voucher_code="club10")
    )


def add_voucher(client, code="CLUB10"):
    response = client.post(reverse("basket:vouchers-add"), {"code": code})
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    basket = client.get(reverse("basket:summary")).context["basket"]
    return basket, messages


def test_a_members_only_voucher_works_for_the_member(member_client, product, voucher_offer):
    add_to_basket(member_client, product)
    basket, messages = add_voucher(member_client)
    assert "Coupon 'CLUB10' added to cart" in messages
    assert basket.total_excl_tax == D("9.00")
    assert [v.code for v in basket.vouchers.all()] == ["CLUB10"]


def test_a_members_only_voucher_is_refused_for_a_guest_with_a_clear_message(
    guest_client, product, voucher_offer
):
    add_to_basket(guest_client, product)
    basket, messages = add_voucher(guest_client)
    assert "This offer is for club members only." in messages
    assert basket.total_excl_tax == D("10.00")
    assert not basket.vouchers.exists()


def test_an_expired_voucher_is_refused_and_the_basket_is_unchanged(
    member_client, product, voucher_offer
):
    voucher_offer.vouchers.update(
        start_datetime=timezone.now() - timedelta(days=10),
        end_datetime=timezone.now() - timedelta(days=1),
    )
    add_to_basket(member_client, product)
    basket, messages = add_voucher(member_client)
    assert "The 'CLUB10' coupon has expired" in messages
    assert basket.total_excl_tax == D("10.00") and not basket.vouchers.exists()


def test_a_voucher_for_a_tier_segment_is_refused_for_members_of_other_tiers(
    member_client, product, product_range, member
):
    gold = TierFactory(name="Gold", code="gold")
    gold_members = save_segment(
        name="Gold",
        rules={"op": "and", "rules": [{"type": "tier", "params": {"tiers": [gold.pk]}}]},
    )
    services.save_member_offer(
        spec(product_range, offer_type="Voucher", voucher_code="GOLD", segment=gold_members)
    )
    add_to_basket(member_client, product)
    basket, messages = add_voucher(member_client, "GOLD")
    assert "This offer is for another group of club members." in messages
    assert basket.total_excl_tax == D("10.00")
    member.tier = gold
    member.save()
    basket, messages = add_voucher(member_client, "GOLD")
    assert basket.total_excl_tax == D("9.00")


def test_a_members_only_site_offer_discounts_members_and_not_guests(
    member_client, guest_client, product, product_range
):
    services.save_member_offer(spec(product_range))
    add_to_basket(member_client, product)
    add_to_basket(guest_client, product)
    assert member_client.get(reverse("basket:summary")).context["basket"].total_excl_tax == D(
        "9.00"
    )
    assert guest_client.get(reverse("basket:summary")).context["basket"].total_excl_tax == D(
        "10.00"
    )


def test_an_expired_member_loses_the_members_only_site_offer(
    member_client, member, product, product_range
):
    services.save_member_offer(spec(product_range))
    member.expires_at = timezone.now() - timedelta(seconds=1)
    member.save()
    add_to_basket(member_client, product)
    assert member_client.get(reverse("basket:summary")).context["basket"].total_excl_tax == D(
        "10.00"
    )


def test_a_switched_off_voucher_offer_gives_no_discount(member_client, product, voucher_offer):
    services.set_promotion_state(
        "offer", voucher_offer.pk, is_on=False, starts_at=None, ends_at=None
    )
    add_to_basket(member_client, product)
    basket, messages = add_voucher(member_client)
    assert basket.total_excl_tax == D("10.00") and not basket.vouchers.exists()


def test_the_condition_keeps_oscars_type_range_and_value(product_range):
    offer = services.save_member_offer(
        spec(product_range, condition_type="Value", condition_value=D("50"))
    )
    condition = offer.condition.proxy()
    assert isinstance(condition, MemberOnlyCondition)
    assert (condition.type, condition.range, condition.value) == (
        "Value",
        product_range,
        D("50.00"),
    )
    assert condition.name.startswith("Club members only: ")


def test_a_percentage_benefit_above_100_is_refused_and_nothing_is_created(product_range):
    with pytest.raises(InvalidPercentage):
        services.save_member_offer(spec(product_range, benefit_value=D("150")))
    assert not ConditionalOffer.objects.filter(name="Club 10% off").exists()


def test_a_voucher_code_already_used_elsewhere_is_refused(product_range, voucher_offer):
    with pytest.raises(OffersError, match="already in use"):
        services.save_member_offer(
            spec(product_range, name="Other", offer_type="Voucher", voucher_code="CLUB10")
        )
    assert not ConditionalOffer.objects.filter(name="Other").exists()
    assert Voucher.objects.count() == 1


def test_another_members_personal_gift_voucher_is_refused(
    client, product, product_range, free_plan, settings
):
    from oscar_loyalty.apps.offers import gifts

    offer = services.save_member_offer(spec(product_range, offer_type="Voucher"))
    settings.OSCAR_LOYALTY_WELCOME_GIFT = "voucher"
    settings.OSCAR_LOYALTY_WELCOME_OFFER = offer.slug
    owner = MemberFactory(plan=free_plan)
    gift = gifts.issue_welcome_gift(owner)
    other = MemberFactory(plan=free_plan, user=UserFactory())
    client.force_login(other.user)
    add_to_basket(client, product)
    basket, messages = add_voucher(client, gift.voucher.code)
    assert "This voucher was given to another member." in messages
    assert basket.total_excl_tax == D("10.00") and not basket.vouchers.exists()
