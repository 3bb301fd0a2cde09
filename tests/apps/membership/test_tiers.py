from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from oscar.test.factories import BasketFactory, UserFactory, create_order, create_product

from oscar_loyalty.apps.membership import services
from oscar_loyalty.apps.membership.models import Member, TierChange
from tests.factories import TierFactory

pytestmark = pytest.mark.django_db
Selector = get_class("partner.strategy", "Selector")
Order = get_model("order", "Order")


@pytest.fixture
def tiers(db):
    return {
        "silver": TierFactory(name="Silver", qualifying_spend=D("0.00")),
        "gold": TierFactory(name="Gold", qualifying_spend=D("500.00")),
    }


def buy(user, price, *, days_ago=0):
    basket = BasketFactory(owner=user)
    basket.strategy = Selector().strategy(user=user)
    basket.add_product(create_product(price=D(price)))
    order = create_order(basket=basket, user=user)
    if days_ago:
        Order.objects.filter(pk=order.pk).update(
            date_placed=timezone.now() - timedelta(days=days_ago)
        )
    return order


def test_a_new_member_starts_in_the_lowest_tier(free_plan, tiers):
    member = services.join_club(UserFactory())
    assert member.tier == tiers["silver"]


def test_placing_an_order_that_crosses_the_threshold_moves_the_member_up(free_plan, tiers):
    user = UserFactory()
    services.join_club(user)
    buy(user, "600.00")
    member = Member.objects.get(user=user)
    assert member.tier == tiers["gold"]
    assert member.qualifying_spend == D("600.00")
    change = member.tier_changes.first()
    assert (change.from_tier, change.to_tier, change.reason) == (
        tiers["silver"],
        tiers["gold"],
        TierChange.REASON_ORDER,
    )


def test_spend_outside_the_rolling_window_does_not_count(free_plan, tiers, settings):
    settings.OSCAR_LOYALTY_TIER_WINDOW_MONTHS = 12
    user = UserFactory()
    services.join_club(user)
    buy(user, "600.00", days_ago=400)
    member = services.get_member(user)
    services.recompute_tier(member)
    assert Member.objects.get(user=user).tier == tiers["silver"]


def test_a_cancelled_order_no_longer_counts_and_the_member_moves_down(free_plan, tiers):
    user = UserFactory()
    services.join_club(user)
    order = buy(user, "600.00")
    order.set_status("Cancelled")
    member = Member.objects.get(user=user)
    assert member.tier == tiers["silver"]
    assert list(member.tier_changes.values_list("to_tier__name", flat=True)) == [
        "Silver",
        "Gold",
        "Silver",
    ]


def test_the_membership_fee_does_not_count_towards_tiers(free_plan, vip_plan, tiers):
    user = UserFactory()
    services.join_club(user)
    basket = BasketFactory(owner=user)
    basket.strategy = Selector().strategy(user=user)
    basket.add_product(vip_plan.product, 6)  # 6 × 99 = 594 ≥ 500
    create_order(basket=basket, user=user)
    assert Member.objects.get(user=user).tier == tiers["silver"]


def test_the_daily_recalculation_records_only_real_changes(free_plan, tiers, settings):
    settings.OSCAR_LOYALTY_TIER_DOWNGRADE_GRACE_DAYS = 0  # downgrades at once
    users = [UserFactory() for _ in range(3)]
    for user in users:
        services.join_club(user)
    buy(users[0], "900.00", days_ago=200)
    # Raise the bar behind the members' backs, as staff editing a tier would.
    tiers["gold"].qualifying_spend = D("1000.00")
    tiers["gold"].save()
    assert services.recompute_all_tiers() == 1
    assert Member.objects.get(user=users[0]).tier == tiers["silver"]
    assert services.recompute_all_tiers() == 0


def test_tier_history_cannot_be_edited_or_deleted(free_plan, tiers):
    from oscar_loyalty.models_base import AppendOnlyError

    member = services.join_club(UserFactory())
    services.recompute_tier(member)
    buy(member.user, "700.00")
    change = TierChange.objects.first()
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        TierChange.objects.all().delete()


def test_a_tier_change_is_emailed_but_the_first_tier_on_joining_is_not(
    free_plan, tiers, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="climber@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.join_club(user)
    assert not [m for m in mailoutbox if "tier" in m.subject]
    with django_capture_on_commit_callbacks(execute=True):
        buy(user, "600.00")
    tier_mails = [m for m in mailoutbox if "tier" in m.subject]
    assert len(tier_mails) == 1 and tier_mails[0].to == ["climber@example.com"]
    assert "Gold" in tier_mails[0].body


def test_tier_change_emails_can_be_switched_off(
    free_plan, tiers, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.OSCAR_LOYALTY_TIER_CHANGE_EMAIL = False
    user = UserFactory()
    services.join_club(user)
    with django_capture_on_commit_callbacks(execute=True):
        buy(user, "600.00")
    assert Member.objects.get(user=user).tier == tiers["gold"]
    assert not [m for m in mailoutbox if "tier" in m.subject]


@pytest.mark.parametrize(("language", "name"), [("he", "זהב"), ("en", "Gold")])
def test_the_tier_change_email_names_the_tier_in_the_members_language(
    free_plan, tiers, mailoutbox, django_capture_on_commit_callbacks, language, name
):
    tiers["gold"].translations = {"he": {"name": "זהב"}}
    tiers["gold"].save()
    user = UserFactory(email="climber@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        member = services.join_club(user)
    Member.objects.filter(pk=member.pk).update(language=language)
    with django_capture_on_commit_callbacks(execute=True):
        buy(user, "600.00")
    [mail] = [m for m in mailoutbox if m.to == ["climber@example.com"] and name in m.body]
    assert ("זהב" in mail.body) == (language == "he")
