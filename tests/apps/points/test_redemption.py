from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership.baskets import basket_member
from oscar_loyalty.apps.points import redemption
from oscar_loyalty.apps.points.earning import preview_points
from oscar_loyalty.apps.points.models import PointsEntry, PointsRedemption
from oscar_loyalty.exceptions import (
    InsufficientPoints,
    InvalidPointsAmount,
    RedemptionNotAllowed,
)
from tests.apps.points.conftest import balance, credit, make_basket, place, reapply

pytestmark = pytest.mark.django_db

ConditionalOffer = get_model("offer", "ConditionalOffer")
OrderDiscount = get_model("order", "OrderDiscount")


def test_applied_points_become_an_oscar_discount_and_are_spent_with_the_order(
    member, points_settings
):
    credit(member, 5000)
    basket = make_basket(member.user, prices=[D("100.00")])
    redemption.reserve_points(basket, member.user, 3000)
    reapply(basket)
    assert basket.total_incl_tax == D("70.00")
    order = place(member.user, basket=basket)
    assert order.total_incl_tax == D("70.00")
    discount = OrderDiscount.objects.get(order=order, offer_name="Club points")
    assert (discount.amount, discount.message) == (D("30.00"), "3000 club points spent")
    # 5000 - 3000 spent + 70 earned on what was paid (points-paid part earns nothing).
    assert balance(member) == 2070
    row = PointsRedemption.objects.get(order=order)
    assert (row.status, row.captured_points) == (PointsRedemption.CAPTURED, 3000)


def test_the_basket_quotes_the_points_it_will_earn_without_an_oscar_offer(member, points_settings):
    basket = make_basket(member.user, prices=[D("42.50")])
    assert preview_points(basket, basket_member(basket)) == 42
    # The quote is the template tags' (no query at checkout), not a site
    # offer's post-order action: Oscar would book an offer on every order.
    assert basket.post_order_actions == []
    assert not ConditionalOffer.objects.filter(slug="club-points-you-will-earn").exists()


def test_a_guest_basket_quotes_no_points(points_settings):
    basket = make_basket(UserFactory(), prices=[D("42.50")])
    assert preview_points(basket, basket_member(basket)) == 0


def test_reserved_points_cannot_be_spent_by_a_second_basket(member, points_settings):
    credit(member, 100)
    first = make_basket(member.user, prices=[D("10.00")])
    second = make_basket(member.user, prices=[D("10.00")])
    redemption.reserve_points(first, member.user, 80)
    with pytest.raises(InsufficientPoints, match="20 points available"):
        redemption.reserve_points(second, member.user, 30)
    assert not PointsRedemption.objects.filter(basket=second).exists()
    redemption.release_points(first, member.user)
    redemption.reserve_points(second, member.user, 30)


def test_an_expired_reservation_frees_the_points_and_gives_no_discount(member, points_settings):
    credit(member, 100)
    basket = make_basket(member.user, prices=[D("10.00")])
    past = timezone.now() - timedelta(hours=2)
    redemption.reserve_points(basket, member.user, 100, now=past)
    assert reapply(basket).total_incl_tax == D("10.00")
    other = make_basket(member.user, prices=[D("10.00")])
    assert redemption.reserve_points(other, member.user, 100).points == 100
    assert redemption.release_expired_reservations() == 1


def test_use_the_maximum_is_capped_by_the_share_of_the_order(member, points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_REDEEM_MAX_SHARE = "0.5"
    credit(member, 100_000)
    basket = make_basket(member.user, prices=[D("100.00")])
    assert redemption.reserve_points(basket, member.user, None).points == 5000
    with pytest.raises(RedemptionNotAllowed, match="At most 5000 points"):
        redemption.reserve_points(basket, member.user, 5001)
    assert PointsRedemption.objects.get(basket=basket).points == 5000


def test_use_the_maximum_is_capped_by_the_balance(member, points_settings):
    credit(member, 250)
    basket = make_basket(member.user, prices=[D("100.00")])
    assert redemption.reserve_points(basket, member.user, None).points == 250


def test_points_cannot_be_spent_on_another_shoppers_basket(member, points_settings):
    credit(member, 100)
    basket = make_basket(UserFactory(), prices=[D("10.00")])
    with pytest.raises(RedemptionNotAllowed, match="your own basket"):
        redemption.reserve_points(basket, member.user, 50)
    assert not PointsRedemption.objects.exists()


@pytest.mark.parametrize("bad", [0, -5, 2.5, "7", 10**13])
def test_bad_numbers_of_points_are_refused(member, points_settings, bad):
    credit(member, 100)
    basket = make_basket(member.user, prices=[D("10.00")])
    with pytest.raises(InvalidPointsAmount):
        redemption.reserve_points(basket, member.user, bad)
    assert not PointsRedemption.objects.exists()


def test_the_minimums_are_enforced(member, points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_REDEEM_MIN_POINTS = 50
    points_settings.OSCAR_LOYALTY_POINTS_REDEEM_MIN_ORDER = "20.00"
    points_settings.OSCAR_LOYALTY_POINTS_REDEEM_MIN_BALANCE = 500
    credit(member, 400)
    small = make_basket(member.user, prices=[D("10.00")])
    big = make_basket(member.user, prices=[D("30.00")])
    with pytest.raises(InvalidPointsAmount, match="at least 50"):
        redemption.reserve_points(big, member.user, 49)
    with pytest.raises(RedemptionNotAllowed, match="minimum"):
        redemption.reserve_points(small, member.user, 60)
    with pytest.raises(InsufficientPoints, match="at least 500"):
        redemption.reserve_points(big, member.user, 60)
    assert not PointsRedemption.objects.exists()


def test_a_basket_that_shrank_charges_only_the_points_the_discount_used(member, points_settings):
    credit(member, 5000)
    basket = make_basket(member.user, prices=[D("100.00"), D("10.00")])
    redemption.reserve_points(basket, member.user, 5000)
    line = max(basket.all_lines(), key=lambda ln: ln.unit_effective_price)
    line.delete()
    basket._lines = None
    reapply(basket)
    assert basket.total_incl_tax == D("0.00")
    order = place(member.user, basket=basket)
    assert PointsEntry.objects.get(order=order, kind=PointsEntry.REDEEM).points == -1000
    assert balance(member) == 4000


def test_points_pay_for_what_is_left_after_the_stores_exclusive_offer(member, points_settings):
    from oscar.test.factories import create_offer

    assert create_offer(name="Twenty percent off").exclusive
    credit(member, 100_000)
    basket = make_basket(member.user, prices=[D("100.00"), D("50.00")])
    assert basket.total_incl_tax == D("120.00")
    redemption.reserve_points(basket, member.user, None)
    reapply(basket)
    assert basket.total_incl_tax == D("0.00")
    order = place(member.user, basket=basket)
    assert PointsEntry.objects.get(order=order, kind=PointsEntry.REDEEM).points == -12000
    assert balance(member) == 100_000 - 12000


def test_a_partial_spend_is_spread_over_the_lines_without_losing_a_cent(member, points_settings):
    credit(member, 1000)
    basket = make_basket(member.user, prices=[D("33.33"), D("66.67"), D("10.00")])
    redemption.reserve_points(basket, member.user, 1000)
    reapply(basket)
    assert basket.total_incl_tax == D("100.00")
    assert all(line.discount_value >= 0 for line in basket.all_lines())


def test_the_summary_shows_reserved_points_as_not_available(member, points_settings):
    from oscar_loyalty.apps.points import services

    credit(member, 300)
    redemption.reserve_points(make_basket(member.user, prices=[D("10.00")]), member.user, 120)
    summary = services.get_summary(member.user)
    assert (summary.balance, summary.reserved, summary.available) == (300, 120, 180)


def test_a_hebrew_shopper_reads_the_points_discount_in_hebrew_and_the_offer_keeps_its_name(
    member, points_settings, client
):
    from django.urls import reverse
    from django.utils import translation

    credit(member, 5000)
    basket = make_basket(member.user, prices=[D("100.00")])
    redemption.reserve_points(basket, member.user, 3000)
    with translation.override("he"):
        reapply(basket)
        [discount] = basket.offer_discounts
        assert discount["name"] == "נקודות מועדון"  # the basket's discount line
        order = place(member.user, basket=basket)
    # The order records the offer's stored name (Oscar reads it from the row) ...
    assert OrderDiscount.objects.get(order=order).offer_name == "Club points"
    offer = ConditionalOffer.objects.get(slug="club-points-discount")
    assert offer.name == "Club points"
    # ... and the shopper's order page shows it in the page's language.
    client.force_login(member.user)
    client.cookies["django_language"] = "he"
    url = reverse("customer:order", kwargs={"order_number": order.number})
    html = client.get(url).content.decode()
    line = html.split('<span class="badge badge-success">')[1].split("</td>")[0]
    assert "נקודות מועדון" in line and "Club points" not in html
    with translation.override("en"):
        basket = make_basket(member.user, prices=[D("50.00")])
        redemption.reserve_points(basket, member.user, 1000)
        assert reapply(basket).offer_discounts[0]["name"] == "Club points"


def place_a_points_order_counting_queries(member):
    """A 100.00 order paid 30.00 with points; the offer, the order and the queries placing it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    credit(member, 5000)
    basket = make_basket(member.user, prices=[D("100.00")])
    redemption.reserve_points(basket, member.user, 3000)
    reapply(basket)
    offer = ConditionalOffer.objects.get(slug="club-points-discount")
    with CaptureQueriesContext(connection) as queries:
        order = place(member.user, basket=basket)
    return offer, order, [q["sql"] for q in queries]


def test_placing_a_points_order_never_writes_the_points_offers_row(member, points_settings):
    """Every points checkout would otherwise save (and lock) that one row until it commits."""
    offer, order, queries = place_a_points_order_counting_queries(member)
    table = ConditionalOffer._meta.db_table
    assert [sql for sql in queries if sql.startswith(f'UPDATE "{table}"')] == []
    assert OrderDiscount.objects.get(order=order).amount == D("30.00")
    offer.refresh_from_db()
    assert (offer.num_orders, offer.num_applications, offer.total_discount) == (0, 0, D("0.00"))


def test_a_points_order_names_its_discount_without_reading_the_offer_again(
    member, points_settings
):
    """Oscar's ``OrderDiscount.save`` re-reads the offer for its name; the request has it."""
    offer, order, queries = place_a_points_order_counting_queries(member)
    by_pk = f'WHERE "{ConditionalOffer._meta.db_table}"."id" = {offer.pk}'
    assert [sql for sql in queries if sql.startswith("SELECT") and by_pk in sql] == []
    assert OrderDiscount.objects.get(order=order).offer_name == offer.name == "Club points"


def test_a_hebrew_shoppers_points_discount_keeps_the_offers_stored_name(member, points_settings):
    # The basket shows the name in the shopper's language (show_name_translated); the
    # order's row keeps the stored one, as Oscar's own re-read of the row would.
    from django.utils import translation

    credit(member, 5000)
    with translation.override("he"):
        basket = make_basket(member.user, prices=[D("100.00")])
        redemption.reserve_points(basket, member.user, 3000)
        reapply(basket)
        shown = [a["offer"].name for a in basket.offer_applications]
        order = place(member.user, basket=basket)
    assert shown and shown != ["Club points"]
    assert OrderDiscount.objects.get(order=order).offer_name == "Club points"


def test_only_the_next_discount_of_that_offer_takes_the_kept_name(member, points_settings):
    from oscar.test.factories import ConditionalOfferFactory, create_order

    from oscar_loyalty import site_offers

    points_offer = ConditionalOfferFactory(name="Club points")
    other = ConditionalOfferFactory(name="Summer sale")
    order = create_order()
    site_offers.name_its_order_discount(points_offer)
    # Another offer's discount, or one already named, is left as Oscar makes it.
    assert OrderDiscount(order=order, offer_id=other.pk).offer_name == ""
    assert OrderDiscount(order=order, offer_id=points_offer.pk, offer_name="X").offer_name == "X"
    assert OrderDiscount(order=order, offer_id=points_offer.pk).offer_name == "Club points"
    # Once: the next one is Oscar's again (its save reads the offer).
    assert OrderDiscount(order=order, offer_id=points_offer.pk).offer_name == ""
