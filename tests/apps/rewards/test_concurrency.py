"""Real threads against a real PostgreSQL database: the last unit goes once, points move once."""

from oscar_loyalty.apps.points import verification
from oscar_loyalty.apps.points.models import PointsAccount
from oscar_loyalty.apps.rewards import services
from oscar_loyalty.apps.rewards.models import Reward, RewardRedemption
from oscar_loyalty.exceptions import LoyaltyError, RewardOutOfStock
from tests.apps.points.conftest import credit
from tests.apps.rewards.conftest import RewardFactory, empty_basket, gift_reward
from tests.concurrency import postgres_races, run_in_threads
from tests.factories import MemberFactory

pytestmark = postgres_races("concurrent reward redemptions")


def balance(member):
    return PointsAccount.objects.get(member=member).balance


def test_two_tabs_redeeming_the_last_unit_one_wins_the_other_keeps_its_points(
    rewards_settings,
):
    member = MemberFactory()
    credit(member, 1000)
    reward = RewardFactory(points=300, stock=1)

    def tab(index):
        return services.redeem(member, reward, request_key=f"tab-{index}")

    won, refused = run_in_threads(tab, 2)
    assert len(won) == 1 and len(refused) == 1
    assert isinstance(refused[0], RewardOutOfStock)
    assert "run out" in refused[0].message
    assert balance(member) == 700
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert verification.verify_balances() == []


def test_many_members_racing_for_a_few_gifts_never_oversell(rewards_settings):
    members = [MemberFactory() for _ in range(8)]
    for member in members:
        credit(member, 500)
    reward = gift_reward(points=400, stock=3)
    baskets = [empty_basket(member.user) for member in members]

    def redeem(index):
        return services.redeem(members[index], reward, request_key="buy", basket=baskets[index])

    won, refused = run_in_threads(redeem, len(members))
    assert (len(won), len(refused)) == (3, 5)
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert RewardRedemption.objects.filter(status=RewardRedemption.RESERVED).count() == 3
    assert sorted(balance(member) for member in members) == [100] * 3 + [500] * 5
    assert verification.verify_balances() == []


def test_a_double_post_with_one_request_key_redeems_once(rewards_settings):
    member = MemberFactory()
    credit(member, 1000)
    reward = RewardFactory(points=300, stock=5)

    def post(index):
        return services.redeem(member, reward, request_key="one-form")

    done, refused = run_in_threads(post, 4, expected=LoyaltyError)
    assert refused == [] and len({redemption.pk for redemption in done}) == 1
    assert balance(member) == 700
    assert Reward.objects.get(pk=reward.pk).stock == 4


def test_two_workers_returning_one_redemption_return_it_once(rewards_settings):
    member = MemberFactory()
    credit(member, 1000)
    reward = RewardFactory(points=300, stock=1)
    redemption = services.redeem(member, reward, request_key="r")

    def give_back(index):
        stale = RewardRedemption.objects.get(pk=redemption.pk)
        return services.return_points(stale, reason=f"worker {index}")

    results, _refused = run_in_threads(give_back, 4)
    assert sorted(results) == [False, False, False, True]
    assert balance(member) == 1000
    assert Reward.objects.get(pk=reward.pk).stock == 1
    assert verification.verify_balances() == []


def test_two_workers_telling_one_partial_refund_return_one_reward_once(rewards_settings):
    from decimal import Decimal as D

    from oscar.core.loading import get_model

    from tests.apps.points.conftest import place, reapply

    PaymentEvent = get_model("order", "PaymentEvent")
    PaymentEventType = get_model("order", "PaymentEventType")
    PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
    member = MemberFactory()
    credit(member, 1000)
    reward = gift_reward(points=300, stock=5)
    basket = empty_basket(member.user)
    for key in ("one", "two"):  # two gifts of one product: one line of two units
        services.redeem(member, reward, request_key=key, basket=basket)
    order = place(member.user, basket=reapply(basket))
    line = order.lines.get()
    assert line.quantity == 2 and balance(member) == 400
    # One unit refunded, its rows written without their signals: the workers tell it.
    event = PaymentEvent.objects.bulk_create(
        [
            PaymentEvent(
                order=order,
                event_type=PaymentEventType.objects.create(name="Refund"),
                amount=D("0.00"),
            )
        ]
    )[0]
    PaymentEventQuantity.objects.bulk_create(
        [PaymentEventQuantity(event=event, line=line, quantity=1)]
    )

    def tell(index):
        return services.return_for_given_back_line(line, reason=f"worker {index}")

    results, _refused = run_in_threads(tell, 3)
    assert sorted(results) == [0, 0, 1]
    assert balance(member) == 700
    assert Reward.objects.get(pk=reward.pk).stock == 4
    assert verification.verify_balances() == []
