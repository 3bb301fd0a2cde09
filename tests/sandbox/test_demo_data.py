"""The sandbox's demo data: a store that looks run for a year the moment the server starts."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.newsletter.models import Campaign
from oscar_loyalty.apps.offers.draws import verify_draw
from oscar_loyalty.apps.offers.models import PrizeDraw
from oscar_loyalty.apps.points.models import PointsAccount, PointsEarning
from oscar_loyalty.apps.referrals.models import Referral
from sandbox.demo.management.commands.loyalty_demo_data import MEMBERS

Order = get_model("order", "Order")
SCALE = 200  # generated members; the sandbox's default is 2,000


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data loaded once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loyalty_demo_data", "--members", str(SCALE), verbosity=0)
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_the_demo_member_has_spendable_points_and_none_overdue():
    account = PointsAccount.objects.get(member__user__email="dana.levi@example.com")
    assert account.balance > 0
    # Nothing waits with a maturity date in the past: the loader matured it.
    assert not PointsEarning.objects.filter(
        status=PointsEarning.PENDING, matures_at__lte=timezone.now()
    ).exists()


def test_every_hand_made_member_with_a_matured_order_can_spend_points():
    emails = [f"{first}.{last}".lower() + "@example.com" for first, last, *_ in MEMBERS]
    earned = PointsAccount.objects.filter(
        member__user__email__in=emails, earnings__status=PointsEarning.MATURED
    ).distinct()
    assert earned.count() >= len(MEMBERS) - 2
    assert all(account.balance > 0 for account in earned)


def test_the_generated_members_come_at_the_chosen_scale_with_a_year_of_history():
    assert Member.objects.count() == len(MEMBERS) + SCALE
    assert Order.objects.count() > SCALE
    oldest = Order.objects.order_by("date_placed").first().date_placed
    assert (timezone.now() - oldest).days >= 300


def test_there_are_sent_campaigns_and_one_scheduled_for_later():
    assert Campaign.objects.filter(status=Campaign.DONE).exists()
    scheduled = Campaign.objects.get(status=Campaign.SCHEDULED)
    assert scheduled.scheduled_at > timezone.now()


def test_referrals_occur_in_every_state():
    states = dict(Referral.objects.values_list("status").annotate(n=Count("pk")).order_by())
    assert set(states) == {status for status, _label in Referral.STATUS_CHOICES}


def test_a_prize_draw_has_ended_and_its_winners_were_drawn():
    draw = PrizeDraw.objects.get(drawn_at__isnull=False)
    assert draw.ends_at < timezone.now()
    assert draw.winners.count() == draw.winners_count
    assert verify_draw(draw)


def test_the_rewards_catalogue_has_each_kind_in_both_languages():
    from oscar_loyalty.apps.rewards.models import Reward

    rewards = list(Reward.objects.all())
    assert {reward.kind for reward in rewards} == {
        Reward.VOUCHER,
        Reward.GIFT,
        Reward.POINTS_PLUS_CASH,
    }
    for reward in rewards:
        reward.full_clean()  # what the dashboard's form would accept
        assert reward.translations["he"]["name"]


def test_the_sandbox_has_an_example_rule_of_each_action_kind_and_no_points_for_the_past():
    from oscar_loyalty.apps.actions.models import ActionAward, ActionRule

    kinds = set(ActionRule.objects.filter(is_active=True).values_list("kind", flat=True))
    assert kinds == {kind for kind, _label in ActionRule.KIND_CHOICES}
    assert not ActionAward.objects.exists()  # the examples pay from now on


def test_a_second_run_changes_nothing(capsys):
    members, orders = Member.objects.count(), Order.objects.count()
    call_command("loyalty_demo_data", "--members", str(SCALE))
    assert "already loaded" in capsys.readouterr().out
    assert (Member.objects.count(), Order.objects.count()) == (members, orders)


def test_a_challenge_of_each_kind_runs_and_the_members_orders_made_progress():
    from oscar_loyalty.apps.challenges.models import Challenge, ChallengeStep

    kinds = set(Challenge.objects.values_list("kind", flat=True))
    assert kinds == {kind for kind, _label in Challenge.KIND_CHOICES}
    assert ChallengeStep.objects.filter(participation__challenge__kind=Challenge.ORDERS).exists()


def test_the_demo_has_a_gold_free_shipping_perk_and_an_early_access_sale():
    from oscar.core.loading import get_model

    from oscar_loyalty.apps.offers.perks import TIER_CONDITION_PATH, rules

    ConditionalOffer = get_model("offer", "ConditionalOffer")
    perks = ConditionalOffer.objects.filter(condition__proxy_class=TIER_CONDITION_PATH)
    shipping = perks.get(benefit__type="Shipping fixed price", benefit__value=0)
    sale = perks.get(benefit__type="Percentage")
    assert rules()[shipping.condition_id].everyone_from is None
    assert rules()[sale.condition_id].everyone_from > sale.start_datetime


def test_the_demo_has_a_gold_only_product_a_silver_member_cannot_buy():
    from oscar.core.loading import get_class

    from oscar_loyalty.apps.offers.tier_only import TierOnlyRange, forget_tier_only_products

    forget_tier_only_products()  # the module's rows, not a copy kept by another test
    rule = TierOnlyRange.objects.get(range__slug="gold-collection")
    assert {tier.code for tier in rule.tiers.all()} == {"gold", "platinum"}
    product = rule.range.all_products().get()
    Selector = get_class("partner.strategy", "Selector")
    gold = Member.objects.filter(tier__code="gold", status=Member.ACTIVE).first()
    other = Member.objects.exclude(tier__code__in=["gold", "platinum"]).first()
    assert (
        not Selector()
        .strategy(user=other.user)
        .fetch_for_product(product)
        .availability.is_available_to_buy
    )
    if gold is not None and gold.has_benefits():
        assert (
            Selector()
            .strategy(user=gold.user)
            .fetch_for_product(product)
            .availability.is_available_to_buy
        )
    forget_tier_only_products()


def test_the_demo_has_a_challenge_rewarding_a_voucher_and_one_a_ticket_in_an_open_draw():
    from oscar_loyalty.apps.challenges.models import Challenge

    voucher = Challenge.objects.get(reward_kind=Challenge.VOUCHER)
    draw = Challenge.objects.get(reward_kind=Challenge.DRAW)
    for challenge in (voucher, draw):
        challenge.full_clean()  # what the dashboard's form would accept
    assert voucher.reward_offer.offer_type == voucher.reward_offer.VOUCHER
    assert draw.reward_draw.drawn_at is None and draw.reward_draw.ends_at > timezone.now()


def test_the_demo_gives_silver_a_discounted_shipping_rate():
    from oscar_loyalty.apps.offers.perks import TIER_CONDITION_PATH, TierPerkRule

    ConditionalOffer = get_model("offer", "ConditionalOffer")
    silver = ConditionalOffer.objects.get(
        condition__proxy_class=TIER_CONDITION_PATH,
        benefit__type="Shipping fixed price",
        benefit__value=10,
    )
    rule = TierPerkRule.objects.get(condition_id=silver.condition_id)
    assert {tier.code for tier in rule.tiers.all()} == {"silver"}


def test_the_demo_has_a_reward_only_the_tel_aviv_shoe_buyers_see():
    from oscar_loyalty.apps.rewards.models import Reward
    from oscar_loyalty.apps.rewards.redeem import catalogue_for
    from oscar_loyalty.apps.segments.models import Segment
    from oscar_loyalty.apps.segments.services import contains

    segment = Segment.objects.get(name="Tel Aviv shoe buyers")
    reward = Reward.objects.get(segment_id=segment.pk)
    assert reward.translations["he"]["name"]
    dana = Member.objects.get(user__email="dana.levi@example.com")
    outsider = Member.objects.get(user__email="avi.peretz@example.com")  # Jerusalem
    assert contains(segment, dana) and not contains(segment, outsider)
    seen = {item.reward.pk for item in catalogue_for(dana, available_points=10_000)}
    assert reward.pk in seen
    assert reward.pk not in {i.reward.pk for i in catalogue_for(outsider, available_points=10_000)}
