"""A partial refund of an order holding a catalogue reward: the reward's line, and only it.

Through Oscar's own ``EventHandler`` (a refund payment event with its line
quantities), so the club's ``LineRefunded`` events run as in a store.
"""

from decimal import Decimal as D

import pytest
from oscar.apps.order.processing import EventHandler
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from oscar_loyalty import order_events
from oscar_loyalty.apps.points import verification
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry
from oscar_loyalty.apps.rewards import services
from oscar_loyalty.apps.rewards.loyalty_daily import release
from oscar_loyalty.apps.rewards.models import Reward, RewardRedemption
from oscar_loyalty.order_events.events import line_refunded
from tests.apps.points.conftest import balance, credit, make_basket, place, reapply
from tests.apps.rewards.conftest import cash_reward, gift_reward
from tests.crashes import commits, crash_after
from tests.factories import MemberFactory

PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")


def refund(order, line, quantity=1, amount=D("1.00")):
    refund_type, _created = PaymentEventType.objects.get_or_create(name="Refund")
    EventHandler().handle_payment_event(order, refund_type, amount, [line], [quantity])


def returns_written() -> int:
    return PointsEntry.objects.filter(idempotency_key__startswith="reward-return:").count()


def order_with_gift(member, *, points=400, stock=5, extra_units=0):
    """A placed order: a gift reward's product (plus ``extra_units`` paid), and two others."""
    gift = gift_reward(points=points, stock=stock)
    products = [
        create_product(title="Bread", price=D("20.00"), num_in_stock=50),
        create_product(title="Cheese", price=D("30.00"), num_in_stock=50),
    ]
    products += [gift.product] * extra_units
    basket = make_basket(member.user, products=products)
    services.redeem(member, gift, request_key=f"g-{gift.pk}", basket=basket)
    order = place(member.user, basket=reapply(basket))
    return order, gift


@pytest.mark.django_db
def test_refunding_the_gift_line_returns_its_points_and_its_unit_exactly_once(
    member, rewards_settings
):
    credit(member, 1000)
    order, gift = order_with_gift(member)
    assert balance(member) == 600 and Reward.objects.get(pk=gift.pk).stock == 4
    refund(order, order.lines.get(product=gift.product), amount=D("0.00"))
    assert balance(member) == 1000
    assert Reward.objects.get(pk=gift.pk).stock == 5
    assert RewardRedemption.objects.get(reward=gift).status == RewardRedemption.RETURNED
    # The same refund told again (a replayed signal, the daily catch-up), and the net.
    event = PaymentEventQuantity.objects.get(line__product=gift.product)
    order_events.dispatch(line_refunded(event))
    assert release()["given_back_lines"] == 0
    # The rest of the order refunded in full later: the reward is not returned twice.
    refund(order, order.lines.get(product__title="Bread"), amount=order.total_incl_tax)
    assert balance(member) == 1000 and Reward.objects.get(pk=gift.pk).stock == 5
    assert returns_written() == 1
    assert verification.verify_balances() == []


@pytest.mark.django_db
def test_refunding_another_line_returns_nothing_of_the_reward(member, rewards_settings):
    credit(member, 1000)
    order, gift = order_with_gift(member)
    refund(order, order.lines.get(product__title="Bread"), amount=D("20.00"))
    assert balance(member) == 600
    assert Reward.objects.get(pk=gift.pk).stock == 4
    assert RewardRedemption.objects.get(reward=gift).status == RewardRedemption.CAPTURED
    assert release()["given_back_lines"] == 0


@pytest.mark.django_db
def test_the_rewards_unit_is_the_last_of_its_line_to_come_back(member, rewards_settings):
    credit(member, 1000)
    # Two units of the product on one line: one paid for, one the gift.
    order, gift = order_with_gift(member, extra_units=1)
    line = order.lines.get(product=gift.product)
    assert line.quantity == 2
    refund(order, line, quantity=1, amount=D("80.00"))  # the paid unit: money back only
    assert balance(member) == 600
    refund(order, line, quantity=1, amount=D("0.00"))  # now the gift's unit
    assert balance(member) == 1000
    assert Reward.objects.get(pk=gift.pk).stock == 5
    assert returns_written() == 1


@pytest.mark.django_db
def test_refunding_the_points_plus_cash_line_returns_the_points(member, rewards_settings):
    credit(member, 1000)
    reward = cash_reward(points=300, stock=2)
    basket = make_basket(member.user, products=[create_product(price=D("20.00"))])
    services.redeem(member, reward, request_key="pc", basket=basket)
    order = place(member.user, basket=reapply(basket))
    line = order.lines.get(product=reward.product)
    assert line.line_price_incl_tax == D("49.90")
    refund(order, line, amount=D("49.90"))
    assert balance(member) == 1000
    assert Reward.objects.get(pk=reward.pk).stock == 2
    assert verification.verify_balances() == []


@pytest.mark.django_db
def test_a_cancelled_gift_line_returns_its_points_once(member, rewards_settings):
    credit(member, 1000)
    order, gift = order_with_gift(member)
    line = order.lines.get(product=gift.product)
    line.set_status("Cancelled")
    assert balance(member) == 1000
    line.set_status("Cancelled")  # told twice
    assert returns_written() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crash_after_any_commit_of_a_gift_lines_refund_returns_it_once_in_the_end(
    rewards_settings,
):
    member = MemberFactory()
    credit(member, 10000)
    order, gift = order_with_gift(member, points=100)
    with commits() as log:
        refund(order, order.lines.get(product=gift.product), amount=D("0.00"))
    assert log.count >= 2
    for n in range(1, log.count + 1):
        order, gift = order_with_gift(member, points=100)
        line = order.lines.get(product=gift.product)
        before = PointsAccount.objects.get(member=member).balance
        with crash_after(n):
            refund(order, line, amount=D("0.00"))
        release()  # the daily net
        release()
        told = PaymentEventQuantity.objects.filter(line=line).exists()
        after = PointsAccount.objects.get(member=member).balance
        # The line's refund recorded: its points back once; not recorded: nothing to return.
        assert after - before == (100 if told else 0)
        redemption = RewardRedemption.objects.get(reward=gift)
        assert (redemption.status == RewardRedemption.RETURNED) is told
        assert Reward.objects.get(pk=gift.pk).stock == (5 if told else 4)
    assert verification.verify_balances() == []
