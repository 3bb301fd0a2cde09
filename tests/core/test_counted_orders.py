"""One answer to "does this order count?", asked by every consumer the same way.

A member has four orders: one kept, one cancelled, one refunded in full in
two payment events, one refunded in part. Only the kept and the partly
refunded orders count, in tier spend, segments (live criteria and the
precomputed stats), reports, prize draws and referral qualification.
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import OrderFactory, OrderLineFactory, UserFactory, create_product

from oscar_loyalty.apps.membership.tiers import qualifying_spend
from oscar_loyalty.apps.offers.draws import _spend_by_user
from oscar_loyalty.apps.offers.models import PrizeDraw
from oscar_loyalty.apps.referrals.services import has_previous_orders
from oscar_loyalty.apps.reports.figures import member_orders, refresh_figures
from oscar_loyalty.apps.reports.models import MemberFacts
from oscar_loyalty.apps.segments import services as segments
from oscar_loyalty.apps.segments.models import MemberStats
from oscar_loyalty.apps.segments.rules import validate_rules
from oscar_loyalty.order_events import counted_orders
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")


def order(user, total, *, status="Complete", refunds=(), days_ago=3):
    placed = timezone.now() - timedelta(days=days_ago)
    made = OrderFactory(
        user=user,
        status=status,
        date_placed=placed,
        total_incl_tax=D(total),
        total_excl_tax=D(total),
    )
    OrderLineFactory(
        order=made,
        product=create_product(price=D(total)),
        partner_sku=f"SKU-{total}",
        line_price_incl_tax=D(total),
        line_price_excl_tax=D(total),
    )
    refund = PaymentEventType.objects.get_or_create(name="Refund")[0]
    for amount in refunds:
        PaymentEvent.objects.create(order=made, event_type=refund, amount=D(amount))
    return made


@pytest.fixture
def shopper(db):
    member = MemberFactory(user=UserFactory())
    user = member.user
    member.kept = order(user, "100.00")
    member.cancelled = order(user, "200.00", status="Cancelled")
    member.refunded = order(user, "400.00", refunds=["150.00", "250.00"])
    member.partly = order(user, "800.00", refunds=["100.00"])
    return member


def test_only_orders_neither_cancelled_nor_refunded_in_full_count(shopper):
    counted = set(counted_orders().filter(user=shopper.user))
    assert counted == {shopper.kept, shopper.partly}


def test_refunds_of_another_type_leave_an_order_counting(shopper):
    other = PaymentEventType.objects.create(name="Settled")
    PaymentEvent.objects.create(order=shopper.kept, event_type=other, amount=D("100.00"))
    assert shopper.kept in counted_orders()


def test_tier_spend_counts_only_counted_orders(shopper):
    assert qualifying_spend(shopper, now=timezone.now()) == D("900.00")


def test_segment_criteria_count_only_counted_orders(shopper):
    def members(rule_type, **params):
        rules = validate_rules({"op": "and", "rules": [{"type": rule_type, "params": params}]})
        return shopper in set(segments.members_in(rules))

    # 400 days: not a precomputed window, so the live criteria answer.
    assert members("orders", min_orders=2, max_orders=2, days=400)
    assert members("spend", min_amount="900", max_amount="900", days=400)
    assert not members("bought", products=str(shopper.refunded.lines.get().product_id))
    assert not members("bought", products=str(shopper.cancelled.lines.get().product_id))
    assert members("bought", products=str(shopper.partly.lines.get().product_id))


def test_precomputed_segment_stats_count_only_counted_orders(shopper):
    segments.refresh_member_stats()
    stats = MemberStats.objects.get(member=shopper)
    assert (stats.orders_count, stats.spend, stats.spend_30d) == (2, D("900.00"), D("900.00"))


def test_reports_count_only_counted_orders(shopper):
    assert set(member_orders().filter(user=shopper.user)) == {shopper.kept, shopper.partly}
    refresh_figures(full=True)
    assert MemberFacts.objects.get(member=shopper).orders == 2


def test_prize_draw_spend_counts_only_counted_orders(shopper):
    draw = PrizeDraw(name="Draw", prize="A bike")
    assert _spend_by_user(draw, [shopper.user_id]) == {shopper.user_id: D("900.00")}


def test_a_customer_whose_only_orders_were_cancelled_or_refunded_is_still_a_first_time_buyer(db):
    user = UserFactory()
    order(user, "200.00", status="Cancelled")
    order(user, "400.00", refunds=["400.00"])
    assert not has_previous_orders(user)
    order(user, "50.00", refunds=["10.00"])
    assert has_previous_orders(user)
