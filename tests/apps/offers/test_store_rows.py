"""The club's offers and range are made on first use, not by ``migrate`` (issue #18).

Rows a data migration made took primary key 1, counted among the store's
active offers and ranges, and broke 23 of Oscar's own tests. The points
offer is now made the first time a member applies points, the friend's
voucher offer (and its range) when the first friend's voucher is issued.
"""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import ConditionalOfferFactory, UserFactory, create_product

from oscar_loyalty.apps.points import redemption, verification
from oscar_loyalty.apps.points.benefits import ensure_points_offer, points_offers
from oscar_loyalty.apps.referrals import services as referral_services
from oscar_loyalty.apps.referrals.friend_offer import ensure_friend_offer
from oscar_loyalty.exceptions import InsufficientPoints
from tests.apps.points.conftest import credit, make_basket, place, reapply
from tests.concurrency import run_in_threads
from tests.factories import MemberFactory

ConditionalOffer = get_model("offer", "ConditionalOffer")
Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
Range = get_model("offer", "Range")


@pytest.fixture
def points_settings(settings):
    settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "1"
    settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 0
    settings.OSCAR_LOYALTY_POINTS_VALUE = "0.01"
    return settings


@pytest.mark.django_db
def test_a_migrated_database_holds_none_of_the_clubs_offers_or_ranges():
    assert list(ConditionalOffer.objects.values_list("name", flat=True)) == []
    assert list(Range.objects.values_list("name", flat=True)) == []


@pytest.mark.django_db
def test_the_store_creates_its_own_offer_range_condition_and_benefit_with_primary_key_1():
    # As Oscar's own tests and fixtures do; explicit keys throughout, since
    # PostgreSQL's sequences do not move past an explicit key.
    summer = Range.objects.create(pk=1, name="Summer", includes_all_products=True)
    offer = ConditionalOffer.objects.create(
        pk=1,
        name="Summer sale",
        offer_type=ConditionalOffer.SITE,
        condition=Condition.objects.create(pk=1, type=Condition.COUNT, value=1, range=summer),
        benefit=Benefit.objects.create(pk=1, type=Benefit.PERCENTAGE, value=10, range=summer),
    )
    assert offer.pk == summer.pk == offer.condition.pk == offer.benefit.pk == 1
    assert list(ConditionalOffer.active.values_list("name", flat=True)) == ["Summer sale"]


@pytest.mark.django_db
def test_the_points_offer_is_made_when_a_member_first_applies_points_and_only_once(
    points_settings,
):
    member = MemberFactory()
    credit(member, 1000)
    basket = make_basket(member.user, prices=[D("100.00")])
    assert not points_offers().exists()

    redemption.reserve_points(basket, member.user, 500)
    offer = points_offers().get()
    assert (offer.offer_type, offer.priority, offer.slug) == ("Site", -100, "club-points-discount")
    assert reapply(basket).total_excl_tax == D("95.00")

    # A second basket, another member: the same offer.
    other = MemberFactory()
    credit(other, 1000)
    redemption.reserve_points(make_basket(other.user), other.user, 200)
    assert points_offers().get() == offer

    order = place(member.user, basket=basket)
    assert order.total_excl_tax == D("95.00")
    assert verification.verify_redemptions() == []


@pytest.mark.django_db
def test_a_refused_application_of_points_leaves_no_offer_behind(points_settings):
    member = MemberFactory()
    credit(member, 50)
    basket = make_basket(member.user)
    with pytest.raises(InsufficientPoints):
        redemption.reserve_points(basket, member.user, 500)
    assert not ConditionalOffer.objects.exists()
    assert not Condition.objects.exists() and not Benefit.objects.exists()


@pytest.mark.django_db
def test_staff_may_rename_the_points_offer_and_it_is_still_the_one_used(points_settings):
    offer = ensure_points_offer()
    ConditionalOffer.objects.filter(pk=offer.pk).update(name="נקודות מועדון", priority=-5)
    member = MemberFactory()
    credit(member, 1000)
    basket = make_basket(member.user)
    redemption.reserve_points(basket, member.user, 300)
    assert points_offers().get().pk == offer.pk
    assert reapply(basket).total_excl_tax == D("97.00")


@pytest.mark.django_db
def test_a_deleted_points_offer_is_made_again_on_the_next_use(points_settings):
    ensure_points_offer().delete()
    member = MemberFactory()
    credit(member, 1000)
    basket = make_basket(member.user)
    redemption.reserve_points(basket, member.user, 300)
    assert points_offers().count() == 1
    assert reapply(basket).total_excl_tax == D("97.00")


@pytest.mark.django_db
def test_the_points_offer_is_not_a_promotion_on_oscars_public_offers_page(client):
    offer = ensure_points_offer()
    ConditionalOfferFactory(name="Spring sale")
    response = client.get(reverse("offer:list"))
    assert response.status_code == 200
    assert [o.name for o in response.context["offers"]] == ["Spring sale"]
    # Still applied: Oscar's applicator reads the site offers itself.
    assert offer in ConditionalOffer.active.filter(offer_type=ConditionalOffer.SITE)


@pytest.mark.django_db
def test_the_friend_offer_and_its_range_are_made_with_the_first_friends_voucher(settings):
    settings.OSCAR_LOYALTY_REFERRALS_FRIEND_REWARD = "voucher"
    settings.OSCAR_LOYALTY_REFERRALS_FRIEND_OFFER = "referral-friend"
    settings.OSCAR_LOYALTY_REFERRALS_RATE_LIMIT = (1000, 3600)
    code = referral_services.get_code(MemberFactory())
    assert not ConditionalOffer.objects.exists() and not Range.objects.exists()

    first = referral_services.link_referee(UserFactory(), code.code, source="checkout")
    second = referral_services.link_referee(UserFactory(), code.code, source="checkout")
    offer = ConditionalOffer.objects.get()
    assert (offer.slug, offer.offer_type) == ("referral-friend", "Voucher")
    assert Range.objects.get().includes_all_products
    assert (
        set(first.friend_voucher.offers.all())
        == set(second.friend_voucher.offers.all())
        == {offer}
    )
    # Not a site offer: nothing in the store's active site offers.
    assert not ConditionalOffer.active.filter(offer_type="Site").exists()


@pytest.mark.django_db
def test_a_store_that_names_its_own_friend_offer_gets_none_made_for_it(settings):
    ensure_friend_offer("our-friend-offer")
    assert not ConditionalOffer.objects.exists() and not Range.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite locks the whole database file, so it cannot show row-lock races.",
)
def test_members_applying_points_for_the_first_time_at_once_make_one_points_offer(
    points_settings,
):
    members = [MemberFactory() for _ in range(6)]
    baskets = []
    for member in members:
        credit(member, 1000)
        baskets.append(make_basket(member.user, products=[create_product(price=D("50.00"))]))

    def apply(index):
        return redemption.reserve_points(baskets[index], members[index].user, 100)

    results, errors = run_in_threads(apply, len(members))
    assert (len(results), errors) == (len(members), [])
    assert points_offers().count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite locks the whole database file, so it cannot show row-lock races.",
)
def test_first_friends_linked_at_once_make_one_friend_offer_and_one_range():
    results, errors = run_in_threads(lambda index: ensure_friend_offer("referral-friend"), 6)
    assert (len(results), errors) == (6, [])
    assert ConditionalOffer.objects.filter(slug="referral-friend").count() == 1
    assert Range.objects.count() == 1
