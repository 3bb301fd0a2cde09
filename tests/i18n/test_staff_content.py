"""Plan and tier names per language, and the club's own words shown in the reader's language."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation
from oscar.apps.offer.models import ConditionalOffer
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership.models import Member, Plan
from oscar_loyalty.apps.offers.services import list_promotions
from oscar_loyalty.apps.points import benefits
from oscar_loyalty.reasons import describe
from tests.factories import MemberFactory, PlanFactory, PrizeDrawFactory, TierFactory

pytestmark = pytest.mark.django_db


def test_a_plan_and_a_tier_show_their_name_and_description_in_the_active_language():
    plan = PlanFactory(
        name="Friends",
        description="Free for everyone.",
        translations={"he": {"name": "חברים", "description": "חינם לכולם."}},
    )
    tier = TierFactory(name="Silver", translations={"he": {"name": "כסף"}})
    with translation.override("he"):
        assert (plan.display_name, plan.display_description) == ("חברים", "חינם לכולם.")
        assert (tier.display_name, str(tier), str(plan)) == ("כסף", "כסף", "חברים")
    with translation.override("en"):
        assert (plan.display_name, plan.display_description) == ("Friends", "Free for everyone.")
        assert (tier.display_name, str(tier)) == ("Silver", "Silver")


def test_a_missing_translation_shows_the_stores_text_never_nothing():
    plan = PlanFactory(name="Friends", translations={"he": {"name": "חברים"}})
    with translation.override("he"):
        assert plan.display_description == "" and plan.display_name == "חברים"
    plan.description = "Free."
    with translation.override("he"):
        assert plan.display_description == "Free."


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_write_a_plans_hebrew_name_and_description_on_the_plan_form(staff_client):
    page = staff_client.get(reverse("loyalty_dashboard:loyalty-plan-create")).content.decode()
    assert 'name="name_he"' in page and 'name="description_he"' in page
    response = staff_client.post(
        reverse("loyalty_dashboard:loyalty-plan-create"),
        {
            "name": "Friends",
            "slug": "friends",
            "description": "Free.",
            "name_he": "חברים",
            "description_he": "  חינם.  ",
            "price": "0",
            "position": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(slug="friends")
    assert plan.translations == {"he": {"name": "חברים", "description": "חינם."}}
    edit = staff_client.get(reverse("loyalty_dashboard:loyalty-plan-update", args=[plan.pk]))
    assert 'value="חברים"' in edit.content.decode()


def test_emptying_a_tiers_hebrew_name_removes_the_translation(staff_client):
    tier = TierFactory(name="Gold", code="gold", translations={"he": {"name": "זהב"}})
    response = staff_client.post(
        reverse("loyalty_dashboard:loyalty-tier-update", args=[tier.pk]),
        {
            "name": "Gold",
            "code": "gold",
            "name_he": "",
            "qualifying_spend": "0",
            "points_multiplier": "1",
            "discount_percent": "0",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    tier.refresh_from_db()
    assert tier.translations == {}


def test_the_members_card_and_membership_page_show_the_plan_and_tier_in_hebrew(client):
    tier = TierFactory(name="Silver", translations={"he": {"name": "כסף"}})
    member = MemberFactory(
        plan=PlanFactory(name="Friends", translations={"he": {"name": "חברים"}}), tier=tier
    )
    client.force_login(member.user)
    client.cookies["django_language"] = "he"
    html = client.get(reverse("loyalty:membership")).content.decode()
    assert "חברים" in html and "כסף" in html
    client.cookies["django_language"] = "en"
    html = client.get(reverse("loyalty:membership")).content.decode()
    assert "Friends" in html and "Silver" in html and "חברים" not in html


@pytest.mark.parametrize(
    ("reason", "hebrew"),
    [
        ("Spent on order 100023", "מומשו בהזמנה 100023"),
        ("Friend referred (order 100023)", "חבר/ה שהופנה/תה (הזמנה 100023)"),
        (
            "Order cancelled: points spent on order 100023 returned",
            "ההזמנה בוטלה: הנקודות שמומשו בהזמנה 100023 הוחזרו",
        ),
        ("Refunded: friend's order 7", "הוחזר: הזמנת החבר/ה 7"),
        ("Points earned on 2026-12-06 expired", "פג תוקפן של נקודות שנצברו ב-06/12/2026"),
        ("same shipping address as the referrer", "אותה כתובת משלוח כמו של הממליץ/ה"),
        ("Welcome to the club", "ברוכים הבאים למועדון"),
        ("Goodwill after a late delivery", "Goodwill after a late delivery"),
    ],
)
def test_ledger_and_review_reasons_are_shown_in_the_readers_language(reason, hebrew):
    with translation.override("he"):
        assert describe(reason) == hebrew
    with translation.override("en"):
        expected = "Points earned on 06/12/2026 expired" if "2026" in reason else reason
        assert describe(reason) == expected


def test_promotion_kinds_are_listed_in_the_staff_members_language():
    PrizeDrawFactory(name="Raffle")
    with translation.override("he"):
        labels = {row.label for row in list_promotions()}
    assert str(labels.pop()) == "הגרלה" and not labels


def test_a_membership_terms_status_is_translated_on_the_member_page(staff_client, free_plan):
    from oscar_loyalty.apps.membership import services

    member = services.join_club(UserFactory())
    staff_client.cookies["django_language"] = "he"
    url = reverse("loyalty_dashboard:loyalty-member-detail", args=[member.pk])
    html = staff_client.get(url).content.decode()
    terms = html.split('id="loyalty-terms"')[1].split("</table>")[0]
    assert ">active<" not in terms and ">פעיל<" in terms
    assert member.status == Member.ACTIVE


def test_the_points_offer_shows_its_name_in_the_shoppers_language_and_keeps_the_stored_one():
    offer = benefits.ensure_points_offer()
    assert offer.name == "Club points"  # the store's language (en here)
    with translation.override("he"):
        benefits.show_name_translated(offer)
    assert offer.name == "נקודות מועדון"
    offer.save()  # as Oscar's record_usage does at placement
    offer.refresh_from_db()
    assert offer.name == "Club points"


def test_a_points_offer_staff_renamed_is_shown_as_they_wrote_it():
    offer = benefits.ensure_points_offer()
    ConditionalOffer.objects.filter(pk=offer.pk).update(name="Pay with points")
    offer.refresh_from_db()
    with translation.override("he"):
        benefits.show_name_translated(offer)
    assert offer.name == "Pay with points"


def test_staff_need_the_plan_permission_to_write_translations(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename="view_plan"))
    client.force_login(user)
    assert client.get(reverse("loyalty_dashboard:loyalty-plan-create")).status_code == 403
