"""Redeeming each kind of reward: points debited once, stock, limits, eligibility, returns."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from oscar_loyalty import order_events
from oscar_loyalty.apps.points import redemption as points_redemption
from oscar_loyalty.apps.points import verification
from oscar_loyalty.apps.points.models import PointsEntry
from oscar_loyalty.apps.rewards import services
from oscar_loyalty.apps.rewards.models import Reward, RewardRedemption
from oscar_loyalty.exceptions import (
    InsufficientPoints,
    RewardError,
    RewardLimitReached,
    RewardOutOfStock,
    RewardUnavailable,
)
from oscar_loyalty.order_events import OrderCancelled
from tests.apps.points.conftest import balance, credit, make_basket, place, reapply
from tests.apps.rewards.conftest import RewardFactory, cash_reward, empty_basket, gift_reward
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db

Voucher = get_model("voucher", "Voucher")


def books_balance():
    assert verification.verify_balances() == []


def test_a_voucher_reward_debits_the_points_takes_a_unit_and_issues_a_single_use_voucher(
    member, rewards_settings
):
    credit(member, 800)
    reward = RewardFactory(points=500, stock=3, voucher_days=10)
    redemption = services.redeem(member, reward, request_key="k1")
    assert balance(member) == 300
    assert Reward.objects.get(pk=reward.pk).stock == 2
    assert redemption.status == RewardRedemption.CAPTURED
    voucher = Voucher.objects.get(pk=redemption.voucher_id)
    assert voucher.usage == Voucher.SINGLE_USE
    assert list(voucher.offers.all()) == [reward.voucher_offer]
    assert voucher.end_datetime - voucher.start_datetime == timedelta(days=10)
    assert (
        redemption.debit_entry.kind == PointsEntry.REDEEM and redemption.debit_entry.points == -500
    )
    books_balance()


def test_a_replayed_request_redeems_once(member, rewards_settings):
    credit(member, 2000)
    reward = RewardFactory(points=500, stock=5)
    first = services.redeem(member, reward, request_key="same")
    again = services.redeem(member, reward, request_key="same")
    assert again.pk == first.pk
    assert balance(member) == 1500
    assert Reward.objects.get(pk=reward.pk).stock == 4
    assert RewardRedemption.objects.count() == 1 and Voucher.objects.count() == 1


def test_a_request_key_reused_for_another_reward_is_refused(member, rewards_settings):
    credit(member, 2000)
    services.redeem(member, RewardFactory(points=100), request_key="same")
    with pytest.raises(RewardError):
        services.redeem(member, RewardFactory(points=100), request_key="same")
    assert balance(member) == 1900


@pytest.mark.parametrize("key", ["", "   ", "x" * 101, "bad\nkey"])
def test_a_hostile_request_key_is_refused_and_nothing_changes(member, rewards_settings, key):
    credit(member, 1000)
    reward = RewardFactory(points=100, stock=1)
    with pytest.raises(RewardError):
        services.redeem(member, reward, request_key=key)
    assert balance(member) == 1000 and Reward.objects.get(pk=reward.pk).stock == 1


def test_a_stale_copy_showing_stock_is_refused_and_the_points_are_kept(member, rewards_settings):
    credit(member, 1000)
    reward = RewardFactory(points=100, stock=1)
    stale = Reward.objects.get(pk=reward.pk)  # a second tab loaded while one was left
    services.redeem(member, reward, request_key="tab-1")
    assert stale.stock == 1
    with pytest.raises(RewardOutOfStock):
        services.redeem(member, stale, request_key="tab-2")
    assert balance(member) == 900
    assert RewardRedemption.objects.count() == 1


def test_a_stale_balance_cannot_spend_points_held_by_a_basket(member, rewards_settings):
    credit(member, 600)
    basket = make_basket(member.user, prices=[D("100.00")])
    points_redemption.reserve_points(basket, member.user, 300)  # another tab's checkout
    with pytest.raises(InsufficientPoints):
        services.redeem(member, RewardFactory(points=500), request_key="k")
    assert balance(member) == 600
    assert RewardRedemption.objects.count() == 0


def test_the_per_member_limit_counts_redemptions_still_holding(member, rewards_settings):
    credit(member, 5000)
    reward = RewardFactory(points=100, per_member_limit=2)
    first = services.redeem(member, reward, request_key="1")
    services.redeem(member, reward, request_key="2")
    with pytest.raises(RewardLimitReached):
        services.redeem(member, reward, request_key="3")
    services.return_points(first, reason="test")  # returned: no longer counts
    services.redeem(member, reward, request_key="4")
    assert balance(member) == 5000 - 200


def test_eligibility_by_tier_and_active_window(member, rewards_settings):
    credit(member, 5000)
    gold = TierFactory(code="gold-r")
    reward = RewardFactory(points=100)
    reward.tiers.add(gold)
    with pytest.raises(RewardUnavailable):
        services.redeem(member, reward, request_key="tier")
    member.tier = gold
    member.save()
    services.redeem(member, reward, request_key="tier-ok")
    later = RewardFactory(points=100, starts_at=timezone.now() + timedelta(days=1))
    with pytest.raises(RewardUnavailable):
        services.redeem(member, later, request_key="window")
    assert balance(member) == 4900


def test_the_catalogue_hides_other_tiers_and_says_why_the_rest_cannot_be_redeemed(
    member, rewards_settings
):
    cheap = RewardFactory(points=100, stock=0)
    dear = RewardFactory(points=10_000)
    ok = RewardFactory(points=50)
    other_tier = RewardFactory(points=50)
    other_tier.tiers.add(TierFactory(code="vip-r"))
    items = {item.reward.pk: item for item in services.catalogue_for(member, available_points=60)}
    assert set(items) == {cheap.pk, dear.pk, ok.pk}
    assert items[ok.pk].can_redeem
    assert items[cheap.pk].refusal and items[dear.pk].refusal


def test_a_reward_for_a_segment_is_hidden_from_and_refused_to_members_outside_it(
    member, rewards_settings
):
    from oscar_loyalty.apps.segments.services import save_segment

    business = save_segment(
        name="Business customers",
        rules={
            "op": "and",
            "rules": [{"type": "customer_type", "params": {"customer_type": "business"}}],
        },
    )
    reward = RewardFactory(points=100, segment_id=business.pk)
    everyone = RewardFactory(points=100)
    credit(member, 1000)
    shown = {item.reward.pk for item in services.catalogue_for(member, available_points=1000)}
    assert shown == {everyone.pk}
    with pytest.raises(RewardUnavailable):
        services.redeem(member, reward, request_key="outside")
    assert balance(member) == 1000
    assert not RewardRedemption.objects.filter(reward=reward).exists()

    insider = MemberFactory(customer_type="business")
    credit(insider, 1000)
    items = {
        item.reward.pk: item for item in services.catalogue_for(insider, available_points=1000)
    }
    assert set(items) == {reward.pk, everyone.pk} and items[reward.pk].can_redeem
    services.redeem(insider, reward, request_key="inside")
    assert balance(insider) == 900
    assert balance(member) == 1000


def test_a_gift_goes_into_the_basket_and_the_order_line_costs_nothing(member, rewards_settings):
    credit(member, 1000)
    reward = gift_reward(points=400)
    basket = make_basket(member.user, prices=[D("30.00")])
    redemption = services.redeem(member, reward, request_key="g", basket=basket)
    assert redemption.status == RewardRedemption.RESERVED
    reapply(basket)
    assert basket.total_incl_tax == D("30.00")
    order = place(member.user, basket=basket)
    line = order.lines.get(product=reward.product)
    assert line.line_price_incl_tax == D("0.00")
    assert order.total_incl_tax == D("30.00")
    redemption.refresh_from_db()
    assert (redemption.status, redemption.order_id) == (RewardRedemption.CAPTURED, order.pk)
    assert balance(member) == 600
    books_balance()


def test_points_plus_cash_charges_the_cash_part_only(member, rewards_settings):
    credit(member, 1000)
    reward = cash_reward(points=500, cash=D("49.90"))
    basket = empty_basket(member.user)
    services.redeem(member, reward, request_key="pc", basket=basket)
    order = place(member.user, basket=reapply(basket))
    line = order.lines.get(product=reward.product)
    assert line.line_price_incl_tax == D("49.90")
    assert order.total_incl_tax == D("49.90")
    assert balance(member) == 500


def test_a_gift_bought_as_well_discounts_only_the_rewarded_unit(member, rewards_settings):
    credit(member, 1000)
    product = create_product(price=D("80.00"), num_in_stock=10)
    reward = gift_reward(points=400, product=product)
    basket = make_basket(member.user, products=[product])
    services.redeem(member, reward, request_key="g", basket=basket)
    order = place(member.user, basket=reapply(basket))
    line = order.lines.get(product=product)
    assert line.quantity == 2
    assert line.line_price_incl_tax == D("80.00")


def test_removing_the_gift_line_before_the_order_returns_the_points_once(
    member, rewards_settings, django_capture_on_commit_callbacks
):
    credit(member, 1000)
    reward = gift_reward(points=400, stock=2)
    basket = empty_basket(member.user)
    redemption = services.redeem(member, reward, request_key="g", basket=basket)
    with django_capture_on_commit_callbacks(execute=True):
        basket.all_lines()[0].delete()
    assert balance(member) == 1000
    assert Reward.objects.get(pk=reward.pk).stock == 2
    redemption.refresh_from_db()
    assert redemption.status == RewardRedemption.RETURNED
    # The daily job and a second sync change nothing more.
    assert services.sync_basket(basket.pk) == 0 and services.release_lapsed() == 0
    assert services.return_points(redemption, reason="again") is False
    assert balance(member) == 1000
    books_balance()


def test_a_gift_left_in_the_basket_past_its_hold_is_released_by_the_daily_job(
    member, rewards_settings
):
    credit(member, 1000)
    reward = gift_reward(points=400)
    basket = empty_basket(member.user)
    services.redeem(member, reward, request_key="g", basket=basket)
    assert services.release_lapsed() == 0
    assert services.release_lapsed(now=timezone.now() + timedelta(days=4)) == 1
    assert balance(member) == 1000


def test_a_frozen_basket_keeps_its_gift_while_the_order_is_being_paid(member, rewards_settings):
    credit(member, 1000)
    basket = empty_basket(member.user)
    services.redeem(member, gift_reward(points=400), request_key="g", basket=basket)
    basket.freeze()
    assert services.release_lapsed(now=timezone.now() + timedelta(days=4)) == 0
    assert balance(member) == 600


def test_cancelling_the_order_returns_the_gift_points_exactly_once(member, rewards_settings):
    credit(member, 1000)
    reward = gift_reward(points=400, stock=1)
    basket = empty_basket(member.user)
    services.redeem(member, reward, request_key="g", basket=basket)
    order = place(member.user, basket=reapply(basket))
    assert balance(member) == 600
    order.set_status("Cancelled")
    assert balance(member) == 1000
    # The event told again (the catch-up), and the daily net: nothing more.
    order_events.dispatch(OrderCancelled(order=order, status="Cancelled"))
    services.return_for_order(order, reason="again")
    from oscar_loyalty.apps.rewards.loyalty_daily import release

    assert release()["cancelled_orders"] == 0
    assert balance(member) == 1000
    assert Reward.objects.get(pk=reward.pk).stock == 1
    assert PointsEntry.objects.filter(idempotency_key__startswith="reward-return:").count() == 1
    books_balance()


def test_a_voucher_that_expires_unused_gives_its_points_back_once(member, rewards_settings):
    credit(member, 1000)
    reward = RewardFactory(points=300, voucher_days=5, stock=1)
    services.redeem(member, reward, request_key="v")
    assert services.return_unused_vouchers() == 0
    later = timezone.now() + timedelta(days=6)
    assert services.return_unused_vouchers(now=later) == 1
    assert services.return_unused_vouchers(now=later) == 0
    assert balance(member) == 1000 and Reward.objects.get(pk=reward.pk).stock == 1


def test_a_used_voucher_keeps_its_points_spent(member, rewards_settings):
    credit(member, 1000)
    redemption = services.redeem(
        member, RewardFactory(points=300, voucher_days=5), request_key="v"
    )
    Voucher.objects.filter(pk=redemption.voucher_id).update(num_orders=1)
    assert services.return_unused_vouchers(now=timezone.now() + timedelta(days=6)) == 0
    assert balance(member) == 700


def test_gift_rewards_need_the_members_own_basket(member, rewards_settings):
    from tests.factories import MemberFactory

    credit(member, 1000)
    other = MemberFactory()
    with pytest.raises(RewardUnavailable):
        services.redeem(member, gift_reward(), request_key="x", basket=empty_basket(other.user))
    with pytest.raises(RewardUnavailable):
        services.redeem(member, gift_reward(), request_key="y", basket=None)
    assert balance(member) == 1000


def test_a_basket_line_of_a_product_no_reward_holds_asks_the_database_nothing(
    member, rewards_settings, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from oscar.test.factories import create_product

    from oscar_loyalty.apps.rewards import receivers

    credit(member, 1000)
    reward = gift_reward(points=400, stock=2)
    basket = empty_basket(member.user)
    services.redeem(member, reward, request_key="g", basket=basket)
    plain = create_product(price=D("10.00"), num_in_stock=10)
    receivers.reward_products()  # the process's copy: read once a minute
    with CaptureQueriesContext(connection) as queries:
        line, _created = basket.add_product(plain)
        receivers.line_changed(sender=None, instance=line)
    assert not [q for q in queries.captured_queries if "rewardredemption" in q["sql"]]
    # The gift's own line still releases its reward when removed.
    with django_capture_on_commit_callbacks(execute=True):
        next(li for li in basket.all_lines() if li.product_id == reward.product_id).delete()
    assert RewardRedemption.objects.get().status == RewardRedemption.RETURNED
