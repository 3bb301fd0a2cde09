"""Oscar's own offers dashboard still works with the club's condition and benefit classes.

Oscar lists every custom condition and benefit by ``str()`` in its offer
wizard; the club's classes are present in every store that has the add-on
(the points offer, member-only offers), so these are Oscar's real views,
through the test client, as staff.
"""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import RangeFactory, UserFactory

from oscar_loyalty.apps.offers import services
from oscar_loyalty.apps.points import benefits
from oscar_loyalty.apps.points.redemption import DISCOUNT_BENEFIT_PATH

pytestmark = pytest.mark.django_db

ConditionalOffer = get_model("offer", "ConditionalOffer")
Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")

CLUB_CONDITION = "oscar_loyalty.apps.points.benefits.ClubMemberCondition"


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def club_classes(product):
    """Every club class a store's database can hold: the points offer and a members-only offer."""
    points_offer = benefits.ensure_points_offer()
    club_condition = Condition.objects.create(proxy_class=CLUB_CONDITION)
    member_offer = services.save_member_offer(
        services.MemberOfferSpec(
            name="Members 10% off",
            condition_type="Count",
            range=RangeFactory(products=[product]),
            condition_value=D("1"),
            benefit_type="Percentage",
            benefit_value=D("10"),
            offer_type="Site",
        )
    )
    return points_offer, club_condition, member_offer


def test_every_club_condition_and_benefit_has_a_plain_text_name(club_classes):
    points_offer, club_condition, member_offer = club_classes
    for item in (
        points_offer.condition,
        points_offer.benefit,
        club_condition,
        member_offer.condition,
        points_offer.condition.proxy(),
        points_offer.benefit.proxy(),
        club_condition.proxy(),
    ):
        assert type(str(item)) is str and str(item)
        assert type(item.name) is str


def test_staff_list_the_offers_and_open_each_club_offer(staff, club_classes):
    points_offer, _condition, member_offer = club_classes
    response = staff.get(reverse("dashboard:offer-list"))
    assert response.status_code == 200
    for offer in (points_offer, member_offer):
        assert staff.get(reverse("dashboard:offer-detail", args=[offer.pk])).status_code == 200


def test_staff_create_an_offer_through_each_step_with_the_club_classes_listed(
    staff, club_classes, product
):
    _points_offer, club_condition, _member_offer = club_classes
    product_range = RangeFactory(products=[product])
    response = staff.post(
        reverse("dashboard:offer-metadata"),
        {"name": "Spring sale", "description": "", "offer_type": "Site"},
    )
    assert response.status_code == 302, response.content[:2000]

    response = staff.get(reverse("dashboard:offer-benefit"))
    assert response.status_code == 200
    assert "Club points" in response.content.decode()
    response = staff.post(
        reverse("dashboard:offer-benefit"),
        {"range": product_range.pk, "type": "Percentage", "value": "10", "custom_benefit": ""},
    )
    assert response.status_code == 302, response.content[:2000]

    response = staff.get(reverse("dashboard:offer-condition"))
    assert response.status_code == 200
    assert "Basket of a club member" in response.content.decode()
    response = staff.post(
        reverse("dashboard:offer-condition"),
        {"range": "", "type": "", "value": "", "custom_condition": club_condition.pk},
    )
    assert response.status_code == 302, response.content[:2000]

    response = staff.get(reverse("dashboard:offer-restrictions"))
    assert response.status_code == 200
    response = staff.post(
        reverse("dashboard:offer-restrictions"),
        {"priority": "0", "max_basket_applications": "", "combinations": []},
    )
    assert response.status_code == 302, response.content[:2000]
    offer = ConditionalOffer.objects.get(name="Spring sale")
    assert offer.condition_id == club_condition.pk
    assert offer.benefit.value == D("10.00")


def test_staff_edit_the_incentive_and_condition_of_each_club_offer(staff, club_classes):
    points_offer, club_condition, member_offer = club_classes
    for offer in (points_offer, member_offer):
        for step in ("offer-metadata", "offer-benefit", "offer-condition", "offer-restrictions"):
            response = staff.get(reverse(f"dashboard:{step}", args=[offer.pk]))
            assert response.status_code == 200, (offer.name, step)
    # Staff may rename the points offer and keep its classes.
    url = reverse("dashboard:offer-metadata", args=[points_offer.pk])
    response = staff.post(
        url, {"name": "Spend your points", "description": "", "offer_type": "Site"}
    )
    assert response.status_code == 302
    url = reverse("dashboard:offer-benefit", args=[points_offer.pk])
    response = staff.post(
        url, {"range": "", "type": "", "value": "", "custom_benefit": points_offer.benefit_id}
    )
    assert response.status_code == 302, response.content[:2000]
    url = reverse("dashboard:offer-condition", args=[points_offer.pk])
    response = staff.post(
        url, {"range": "", "type": "", "value": "", "custom_condition": points_offer.condition_id}
    )
    assert response.status_code == 302, response.content[:2000]
    response = staff.post(
        reverse("dashboard:offer-restrictions", args=[points_offer.pk]),
        {"priority": "-100", "max_basket_applications": "1", "combinations": []},
    )
    assert response.status_code == 302, response.content[:2000]
    points_offer.refresh_from_db()
    assert points_offer.name == "Spend your points"
    assert points_offer.benefit.proxy_class == DISCOUNT_BENEFIT_PATH
