from decimal import Decimal as D

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import RangeFactory, UserFactory

from oscar_loyalty.apps.offers import draws, services
from oscar_loyalty.apps.offers.models import DrawWinner, PrizeDraw
from oscar_loyalty.apps.segments.services import save_segment
from tests.factories import MemberFactory, PrizeDrawFactory, TierFactory

pytestmark = pytest.mark.django_db

ConditionalOffer = get_model("offer", "ConditionalOffer")


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def offer_form(product_range, **overrides):
    data = {
        "name": "Members 15% off",
        "description": "",
        "offer_type": "Voucher",
        "range": product_range.pk,
        "condition_type": "Count",
        "condition_value": "1",
        "benefit_type": "Percentage",
        "benefit_value": "15",
        "voucher_code": "club15",
        "voucher_usage": "Once per customer",
        "priority": "0",
    }
    return {**data, **overrides}


def test_staff_create_a_members_only_voucher_offer_restricted_to_a_segment(staff, product):
    product_range = RangeFactory(products=[product])
    gold = TierFactory(name="Gold", code="gold")
    gold_members = save_segment(
        name="Gold",
        rules={"op": "and", "rules": [{"type": "tier", "params": {"tiers": [gold.pk]}}]},
    )
    response = staff.post(
        reverse("loyalty_dashboard:loyalty-offers-create"),
        offer_form(product_range, segment=gold_members.pk),
    )
    assert response.status_code == 302
    offer = services.member_offers().get(name="Members 15% off")
    assert offer.vouchers.get().code == "CLUB15"
    assert offer.condition.loyalty_member_rule.segment == gold_members
    assert offer.benefit.value == D("15.00")


def test_staff_edit_a_members_only_offer_with_the_form_filled_in(staff, product):
    offer = services.save_member_offer(
        services.MemberOfferSpec(
            name="Old",
            condition_type="Count",
            range=RangeFactory(products=[product]),
            condition_value=D("1"),
            benefit_type="Percentage",
            benefit_value=D("10"),
        )
    )
    url = reverse("loyalty_dashboard:loyalty-offers-update", kwargs={"pk": offer.pk})
    form = staff.get(url).context["form"]
    assert (
        form.initial["benefit_value"] == D("10.00") and form.initial["condition_type"] == "Count"
    )
    response = staff.post(
        url, offer_form(offer.condition.range, name="New", offer_type="Site", voucher_code="")
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.name, offer.offer_type) == ("New", "Site")
    assert (
        ConditionalOffer.objects.filter(condition__proxy_class=services.CONDITION_PATH).count()
        == 1
    )


def test_a_percentage_over_100_gets_a_clear_message_and_creates_nothing(staff, product):
    response = staff.post(
        reverse("loyalty_dashboard:loyalty-offers-create"),
        offer_form(RangeFactory(products=[product]), benefit_value="120"),
    )
    assert response.status_code == 200
    assert "120 is not a percentage from 0 to 100." in response.content.decode()
    assert not ConditionalOffer.objects.filter(name="Members 15% off").exists()


def test_the_promotions_list_shows_offers_draws_and_points_promotions(staff, product):
    from tests.factories import PointsPromotionFactory

    offer = services.save_member_offer(
        services.MemberOfferSpec(
            name="Members deal",
            condition_type="Count",
            range=RangeFactory(products=[product]),
            condition_value=D("1"),
            benefit_type="Percentage",
            benefit_value=D("10"),
        )
    )
    draw = PrizeDrawFactory(name="Summer raffle")
    promotion = PointsPromotionFactory(name="Double points")
    response = staff.get(reverse("loyalty_dashboard:loyalty-offers-list"))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("Members deal", "Summer raffle", "Double points"):
        assert name in html
    assert f"promotion-offer-{offer.pk}" in html and f"promotion-draw-{draw.pk}" in html
    assert f"promotion-points-{promotion.pk}" in html


def test_staff_switch_off_and_schedule_a_draw_from_the_list(staff):
    draw = PrizeDrawFactory()
    prefix = f"draw-{draw.pk}"
    response = staff.post(
        reverse(
            "loyalty_dashboard:loyalty-offers-promotion-state",
            kwargs={"kind": "draw", "pk": draw.pk},
        ),
        {f"{prefix}-starts_at": "2026-12-01T09:00", f"{prefix}-ends_at": "2026-12-31T21:00"},
    )
    assert response.status_code == 302
    draw.refresh_from_db()
    assert draw.is_active is False
    assert draw.starts_at.isoformat().startswith("2026-12-01T07:00")  # 09:00 in Jerusalem


def test_an_end_before_the_start_is_refused_and_nothing_changes(staff):
    draw = PrizeDrawFactory()
    prefix = f"draw-{draw.pk}"
    response = staff.post(
        reverse(
            "loyalty_dashboard:loyalty-offers-promotion-state",
            kwargs={"kind": "draw", "pk": draw.pk},
        ),
        {
            f"{prefix}-is_on": "on",
            f"{prefix}-starts_at": "2026-12-31T09:00",
            f"{prefix}-ends_at": "2026-12-01T09:00",
        },
        follow=True,
    )
    assert "The end must come after the start." in response.content.decode()
    draw.refresh_from_db()
    assert draw.starts_at is None and draw.is_active is True


def test_staff_run_a_draw_see_the_winners_and_cannot_run_it_again(staff, free_plan):
    winner = MemberFactory(plan=free_plan, user=UserFactory(email="lucky@example.com"))
    draw = PrizeDrawFactory(name="Summer raffle")
    run_url = reverse("loyalty_dashboard:loyalty-offers-draw-run", kwargs={"pk": draw.pk})
    html = staff.post(run_url, follow=True).content.decode()
    assert "lucky@example.com" in html and "same winners" in html
    assert PrizeDraw.objects.get(pk=draw.pk).seed in html
    html = staff.post(run_url, follow=True).content.decode()
    assert "This draw has already been run; its winners stand." in html
    assert DrawWinner.objects.filter(draw=draw).count() == 1
    assert draws.verify_draw(PrizeDraw.objects.get(pk=draw.pk))
    assert DrawWinner.objects.get().member == winner


def test_staff_create_a_draw_per_amount_spent_needs_the_amount(staff):
    url = reverse("loyalty_dashboard:loyalty-offers-draw-create")
    data = {
        "name": "Big spenders",
        "prize": "TV",
        "winners_count": "1",
        "min_spend": "0",
        "entry_mode": "spend",
        "is_active": "on",
    }
    response = staff.post(url, data)
    assert response.status_code == 200 and not PrizeDraw.objects.exists()
    response = staff.post(url, {**data, "spend_per_entry": "100"})
    assert response.status_code == 302
    assert PrizeDraw.objects.get().spend_per_entry == D("100.00")


def test_a_staff_member_without_the_permission_is_refused(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("loyalty_dashboard:loyalty-offers-list"))
    assert response.status_code in (302, 403)
