from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_class, get_class_loader, get_model
from oscar.test.factories import CategoryFactory, RangeFactory, create_product

from oscar_loyalty.apps.offers import checks, services
from oscar_loyalty.apps.offers.models import TierDiscount
from oscar_loyalty.apps.offers.pricing import percent_off
from oscar_loyalty.apps.offers.strategy import Selector
from oscar_loyalty.exceptions import InvalidPercentage
from tests.checkout import add_to_basket, place_order
from tests.factories import MemberPriceFactory, TierDiscountFactory

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")


def price_for(user, product):
    return Selector().strategy(user=user).fetch_for_product(product).price.excl_tax


def test_oscar_hands_out_the_club_selector_through_the_class_loader():
    assert get_class("partner.strategy", "Selector") is Selector


def test_a_member_and_a_guest_see_different_prices_on_the_product_page(
    member_client, guest_client, product
):
    MemberPriceFactory(stockrecord=product.stockrecords.get(), price=D("8.00"))
    url = product.get_absolute_url()
    member_html = member_client.get(url).content.decode()
    guest_html = guest_client.get(url).content.decode()
    assert "₪8.00" in member_html and "regular price ₪10.00" in member_html
    assert "₪10.00" in guest_html and "Members pay ₪8.00" in guest_html
    assert reverse("loyalty:join") in guest_html


def list_url(product_range):
    # Oscar's range page lists products straight from the database (the
    # catalogue index needs a real search engine, which the test settings lack).
    return reverse("catalogue:range", kwargs={"slug": product_range.slug})


def test_the_product_list_shows_members_the_member_price(member_client, guest_client, product):
    MemberPriceFactory(stockrecord=product.stockrecords.get(), price=D("8.00"))
    url = list_url(RangeFactory(is_public=True, products=[product]))
    member_html = member_client.get(url).content.decode()
    guest_html = guest_client.get(url).content.decode()
    # The member pays 8.00; the regular price shows only in the member-price badge.
    assert '<p class="price_color">₪8.00</p>' in member_html
    assert "Regular price <del>₪10.00</del>" in member_html
    assert member_html.count("₪10.00") == 1
    assert "₪10.00" in guest_html and "₪8.00" not in guest_html


def test_a_member_and_a_guest_see_different_basket_totals(member_client, guest_client, product):
    MemberPriceFactory(stockrecord=product.stockrecords.get(), price=D("8.00"))
    add_to_basket(member_client, product, quantity=2)
    add_to_basket(guest_client, product, quantity=2)
    member_basket = member_client.get(reverse("basket:summary")).context["basket"]
    guest_basket = guest_client.get(reverse("basket:summary")).context["basket"]
    assert member_basket.total_excl_tax == D("16.00")
    assert guest_basket.total_excl_tax == D("20.00")


def test_the_order_line_keeps_the_member_price_after_a_real_checkout(
    member_client, guest_client, product
):
    MemberPriceFactory(stockrecord=product.stockrecords.get(), price=D("8.00"))
    add_to_basket(member_client, product)
    member_order = place_order(member_client)
    add_to_basket(guest_client, product)
    guest_order = place_order(guest_client)
    assert member_order.lines.get().unit_price_excl_tax == D("8.00")
    assert guest_order.lines.get().unit_price_excl_tax == D("10.00")


def test_the_lowest_of_the_member_price_and_the_tier_discounts_wins(member, tier, product):
    product_range = RangeFactory(products=[product])
    MemberPriceFactory(stockrecord=product.stockrecords.get(), price=D("9.00"))
    TierDiscountFactory(tier=tier, range=product_range, percent=D("15"))
    TierDiscountFactory(tier=tier, range=product_range, percent=D("12"))
    assert price_for(member.user, product) == D("8.50")


def test_the_tier_percentage_applies_to_everything_except_membership_plans(
    member, tier, product, vip_plan
):
    tier.discount_percent = D("20")
    tier.save()
    assert price_for(member.user, product) == D("8.00")
    assert price_for(member.user, vip_plan.product) == D("99.00")


def test_a_category_discount_covers_products_in_its_subcategories(member, tier):
    parent = CategoryFactory(name="Kitchen")
    child = parent.add_child(name="Knives")
    knife = create_product(title="Knife", price=D("50.00"), num_in_stock=5)
    knife.categories.add(child)
    other = create_product(title="Towel", price=D("50.00"), num_in_stock=5)
    TierDiscountFactory(tier=tier, category=parent, percent=D("10"))
    assert price_for(member.user, knife) == D("45.00")
    assert price_for(member.user, other) == D("50.00")


def test_a_member_price_above_the_regular_price_is_ignored(member, product):
    MemberPriceFactory(stockrecord=product.stockrecords.get(), price=D("12.00"))
    assert price_for(member.user, product) == D("10.00")


def test_an_expired_member_pays_the_regular_price(member, product):
    MemberPriceFactory(stockrecord=product.stockrecords.get(), price=D("8.00"))
    member.expires_at = timezone.now() - timedelta(minutes=1)
    member.save()
    assert price_for(member.user, product) == D("10.00")


def test_a_member_of_another_tier_gets_only_the_absolute_member_price(member, product):
    other_tier_discount = TierDiscountFactory(range=RangeFactory(products=[product]), percent=50)
    assert other_tier_discount.tier != member.tier
    assert price_for(member.user, product) == D("10.00")


def test_percentages_round_half_up_to_the_cent():
    assert percent_off(D("0.50"), D("15")) == D("0.43")  # 0.425
    assert percent_off(D("9.99"), D("33.33")) == D("6.66")  # 6.660333


def test_a_percentage_outside_0_to_100_is_refused_and_nothing_is_saved(tier):
    category = CategoryFactory(name="Bread")
    for bad in ("-1", "100.01", "abc"):
        with pytest.raises(InvalidPercentage):
            services.set_tier_discount(tier, bad, category=category)
    assert not TierDiscount.objects.exists()


def test_the_product_list_extra_queries_do_not_grow_with_the_products_shown(
    member_client, guest_client, tier
):
    category = CategoryFactory(name="Pantry")
    product_range = RangeFactory(is_public=True)

    def queries(client):
        client.get(list_url(product_range))  # warm caches (thumbnails) for both shoppers
        with CaptureQueriesContext(connection) as captured:
            assert client.get(list_url(product_range)).status_code == 200
        return len(captured)

    TierDiscountFactory(tier=tier, category=category, percent=5)
    TierDiscountFactory(tier=tier, range=product_range, percent=7)
    for count in (5, 15):
        for i in range(count):
            product = create_product(title=f"P{i}", price=D("10.00"), num_in_stock=5)
            MemberPriceFactory(stockrecord=product.stockrecords.get(), price=D("9.50"))
            product_range.add_product(product)
        if count == 5:
            extra_for_5 = queries(member_client) - queries(guest_client)
    extra_for_20 = queries(member_client) - queries(guest_client)
    assert extra_for_20 == extra_for_5 <= 10
    html = member_client.get(list_url(product_range)).content.decode()
    assert html.count("₪9.30") == 20


@pytest.fixture
def oscar_default_loader(settings):
    settings.OSCAR_DYNAMIC_CLASS_LOADER = "oscar.core.loading.default_class_loader"
    get_class_loader.cache_clear()
    yield
    settings.OSCAR_DYNAMIC_CLASS_LOADER = "oscar_loyalty.loading.class_loader"
    get_class_loader.cache_clear()


def test_the_check_warns_when_member_prices_exist_but_oscars_selector_is_used(
    oscar_default_loader, product
):
    assert checks.check_member_prices_selector() == []
    MemberPriceFactory(stockrecord=product.stockrecords.get())
    [warning] = checks.check_member_prices_selector()
    assert warning.id == "oscar_loyalty.W_MEMBER_PRICE_SELECTOR"
    assert "OSCAR_DYNAMIC_CLASS_LOADER" in warning.hint


def test_the_check_is_quiet_when_the_club_selector_is_in_use(product):
    MemberPriceFactory(stockrecord=product.stockrecords.get())
    assert checks.check_member_prices_selector() == []


def test_an_anonymous_visitor_sees_the_entry_tier_price_in_the_hint(client, tier, product):
    tier.discount_percent = D("25")
    tier.save()  # the entry tier: it needs no spend
    html = client.get(product.get_absolute_url()).content.decode()
    assert "Members pay ₪7.50" in html


def test_the_hint_can_be_switched_off(settings, guest_client, product):
    settings.OSCAR_LOYALTY_MEMBER_PRICE_HINT = False
    MemberPriceFactory(stockrecord=product.stockrecords.get(), price=D("8.00"))
    assert "Members pay" not in guest_client.get(product.get_absolute_url()).content.decode()


def test_a_members_price_book_is_kept_in_the_process_under_the_version_the_context_read(
    member, product
):
    MemberPriceFactory(stockrecord=product.stockrecords.get(), price=D("8.00"))
    strategy = Selector().strategy(user=member.user)  # fills the cache
    assert strategy.fetch_for_product(product).price.excl_tax == D("8.00")
    again = Selector().strategy(user=member.user)
    with CaptureQueriesContext(connection) as queries:
        assert again.fetch_for_product(product).price.excl_tax == D("8.00")
    assert not [q for q in queries if "loyalty_offers" in q["sql"]]


def test_a_changed_member_price_is_charged_on_the_next_request_whatever_process_cached_it(
    member, product
):
    from oscar_loyalty.apps.offers.models import PriceBookVersion

    stockrecord = product.stockrecords.get()
    services.set_member_price(stockrecord, D("8.00"))
    before = PriceBookVersion.objects.get().token
    assert price_for(member.user, product) == D("8.00")
    services.set_member_price(stockrecord, D("7.00"))
    assert PriceBookVersion.objects.get().token != before
    assert price_for(member.user, product) == D("7.00")
    TierDiscountFactory(tier=member.tier, percent=D("50"), range=RangeFactory(products=[product]))
    assert price_for(member.user, product) == D("5.00")
    stockrecord.loyalty_member_price.delete()
    TierDiscount.objects.get().delete()
    assert price_for(member.user, product) == product.stockrecords.get().price


def test_a_bump_after_a_bulk_write_recreates_a_missing_version_row(member, product):
    from oscar_loyalty.apps.offers.models import MemberPrice, PriceBookVersion
    from oscar_loyalty.apps.offers.pricing import bump_price_book

    PriceBookVersion.objects.all().delete()
    assert price_for(member.user, product) == D("10.00")  # no row: nothing cached
    MemberPrice.objects.bulk_create(
        [MemberPrice(stockrecord=product.stockrecords.get(), price=D("6.00"))]
    )
    token = bump_price_book()
    assert PriceBookVersion.objects.get().token == token
    assert price_for(member.user, product) == D("6.00")
