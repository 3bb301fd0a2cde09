"""Crash after every commit of a redemption and of its return: the books still balance."""

import pytest

from oscar_loyalty.apps.points import verification
from oscar_loyalty.apps.points.models import PointsAccount
from oscar_loyalty.apps.rewards import services
from oscar_loyalty.apps.rewards.loyalty_daily import release
from oscar_loyalty.apps.rewards.models import Reward, RewardRedemption
from tests.apps.points.conftest import credit
from tests.apps.rewards.conftest import RewardFactory, empty_basket, gift_reward
from tests.crashes import commits, crash_after
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def units_accounted(reward) -> bool:
    """Stock left + units held == the stock staff set (10)."""
    held = RewardRedemption.objects.filter(
        reward=reward, status__in=RewardRedemption.HOLDING
    ).count()
    return Reward.objects.get(pk=reward.pk).stock + held == 10


def test_a_crash_after_any_commit_of_a_redemption_leaves_all_or_nothing(rewards_settings):
    member = MemberFactory()
    credit(member, 1000)
    with commits() as log:
        services.redeem(member, RewardFactory(points=100, stock=10), request_key="count")
    assert log.count >= 1
    for n in range(1, log.count + 1):
        reward = RewardFactory(points=100, stock=10)
        before = PointsAccount.objects.get(member=member).balance
        with crash_after(n):
            services.redeem(member, reward, request_key=f"crash-{n}")
        after = PointsAccount.objects.get(member=member).balance
        redeemed = RewardRedemption.objects.filter(reward=reward).count()
        assert (before - after, redeemed) in ((0, 0), (100, 1))
        assert units_accounted(reward)
        # The member retries the same request: redeemed exactly once in the end.
        services.redeem(member, reward, request_key=f"crash-{n}")
        assert RewardRedemption.objects.filter(reward=reward).count() == 1
    assert verification.verify_balances() == []


def test_a_crash_between_removing_the_gift_and_releasing_it_is_healed_by_the_daily_job(
    rewards_settings,
):
    member = MemberFactory()
    credit(member, 1000)
    reward = gift_reward(points=400, stock=10)
    basket = empty_basket(member.user)
    services.redeem(member, reward, request_key="g", basket=basket)
    with crash_after(1):
        basket.all_lines()[0].delete()  # the line's delete commits; its on_commit never runs
    assert PointsAccount.objects.get(member=member).balance == 600
    assert release()["basket"] == 1
    assert PointsAccount.objects.get(member=member).balance == 1000
    assert units_accounted(reward)
    assert release()["basket"] == 0
    assert verification.verify_balances() == []
