"""Points under adversity: stale copies, item-by-item refunds, hostile signal payloads.

Each test reproduces a defect found by an independent check of the points
paths (issue #17) and fails on the code before its fix.
"""

import io
from copy import deepcopy
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from oscar.apps.order.processing import EventHandler
from oscar.core.loading import get_model

from oscar_loyalty.apps.points import redemption, verification
from oscar_loyalty.apps.points.benefits import ensure_points_offer
from oscar_loyalty.apps.points.models import PointsRedemption
from oscar_loyalty.apps.points.redemption import DISCOUNT_BENEFIT_PATH
from oscar_loyalty.exceptions import RedemptionNotAllowed
from tests.apps.points.conftest import balance, credit, make_basket, place, reapply

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
ConditionalOffer = get_model("offer", "ConditionalOffer")
OrderDiscount = get_model("order", "OrderDiscount")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")


def test_a_stale_copy_of_a_placed_basket_cannot_reopen_its_captured_redemption(
    member, points_settings
):
    credit(member, 20000)
    basket = make_basket(member.user, prices=[D("100.00")])
    redemption.reserve_points(basket, member.user, 6000)
    stale = deepcopy(basket)  # what a second tab's request still holds
    order = place(member.user, basket=reapply(basket))
    assert balance(member) == 14000 + 40  # 6000 spent, 40 earned on the 40.00 paid

    with pytest.raises(RedemptionNotAllowed):
        redemption.reserve_points(stale, member.user, 6000)
    with pytest.raises(RedemptionNotAllowed):
        redemption.reserve_points(stale, member.user, None)

    row = PointsRedemption.objects.get(order=order)
    assert (row.status, row.captured_points) == (PointsRedemption.CAPTURED, 6000)
    order.set_status("Cancelled")
    assert balance(member) == 20000  # the spent points come back, once
    assert verification.verify_balances() == []


def test_the_basket_status_is_read_under_the_lock_not_from_the_callers_copy(
    member, points_settings
):
    credit(member, 1000)
    basket = make_basket(member.user, prices=[D("100.00")])
    stale = Basket.objects.get(pk=basket.pk)
    stale.strategy = basket.strategy
    basket.freeze()  # another request started paying for it
    assert stale.can_be_edited  # the copy does not know
    with pytest.raises(RedemptionNotAllowed):
        redemption.reserve_points(stale, member.user, 500)
    assert not PointsRedemption.objects.exists()


def test_the_database_refuses_a_captured_redemption_going_back_to_reserved(
    member, points_settings
):
    credit(member, 1000)
    basket = make_basket(member.user, prices=[D("100.00")])
    redemption.reserve_points(basket, member.user, 500)
    order = place(member.user, basket=reapply(basket))
    row = PointsRedemption.objects.get(order=order)
    for status in (PointsRedemption.RESERVED, PointsRedemption.RELEASED):
        with pytest.raises(IntegrityError), transaction.atomic():
            PointsRedemption.objects.filter(pk=row.pk).update(status=status)


def test_the_verifier_reports_a_points_discount_that_no_settled_debit_backs(
    member, points_settings
):
    credit(member, 1000)
    basket = make_basket(member.user, prices=[D("100.00")])
    redemption.reserve_points(basket, member.user, 500)
    place(member.user, basket=reapply(basket))
    assert verification.verify_balances() == []
    assert verification.verify_redemptions() == []
    # What the stale-tab defect left behind: an order with 60.00 off as club
    # points, and neither a capture nor a debit behind it.
    order = place(member.user, prices=[D("100.00")])
    points_offer = ConditionalOffer.objects.get(benefit__proxy_class=DISCOUNT_BENEFIT_PATH)
    OrderDiscount.objects.create(
        order=order, offer_id=points_offer.pk, offer_name="Club points", amount=D("60.00")
    )
    problems = verification.verify_redemptions()
    assert len(problems) == 1 and str(order.number) in problems[0] and "60.00" in problems[0]


def test_the_verifier_reports_a_captured_redemption_never_settled(member, points_settings):
    credit(member, 1000)
    basket = make_basket(member.user, prices=[D("100.00")])
    redemption.reserve_points(basket, member.user, 500)
    order = place(member.user, basket=reapply(basket))
    row = PointsRedemption.objects.get(order=order)
    PointsRedemption.objects.filter(pk=row.pk).update(captured_points=700)
    problems = verification.verify_redemptions()
    assert len(problems) == 1 and "700" in problems[0]


def test_refunding_an_order_item_by_item_returns_every_point_spent(member, points_settings):
    credit(member, 100)
    basket = make_basket(member.user, prices=[D("10.00")])
    line = basket.all_lines()[0]
    line.quantity = 3
    line.save()
    basket._lines = None
    redemption.reserve_points(basket, member.user, 100)
    order = place(member.user, basket=reapply(basket))
    points_settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "0"
    assert balance(member) == 29  # 0 left + 29 earned on 29.00 paid
    refund = PaymentEventType.objects.create(name="Refund")
    order_line = order.lines.get()
    for _ in range(3):
        EventHandler().handle_payment_event(order, refund, D("9.67"), [order_line], [1])
    # 100 spent come back in full (33 + 33 + 34), and the 29 earned are taken back.
    assert balance(member) == 100
    assert verification.verify_balances() == []


def test_a_refund_event_with_a_string_amount_never_raises_into_oscar(member, points_settings):
    order = place(member.user, prices=[D("10.00")])
    refund = PaymentEventType.objects.create(name="Refunded")
    event = PaymentEvent(order=order, event_type=refund, amount="ten")
    from oscar_loyalty.order_events import receivers

    receivers.on_payment_event_saved(sender=PaymentEvent, instance=event, created=True)
    receivers.on_payment_event_saved(sender=PaymentEvent, instance=object(), created=True)
    receivers.on_payment_event_quantity_saved(sender=None, instance=object(), created=True)
    receivers.on_order_status_changed(
        sender=None, order=object(), old_status="x", new_status="Cancelled"
    )
    receivers.on_line_status_changed(
        sender=None, line=object(), old_status="x", new_status="Cancelled"
    )
    assert balance(member) == 10


def test_the_verify_command_fails_on_a_money_problem_even_with_fix(member, points_settings):
    from django.core.management import call_command

    order = place(member.user, prices=[D("100.00")])
    points_offer = ensure_points_offer()  # made on first use; no points were applied here
    OrderDiscount.objects.create(
        order=order, offer_id=points_offer.pk, offer_name="Club points", amount=D("60.00")
    )
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("loyalty_verify_points", "--fix", stdout=out, stderr=io.StringIO())
    assert exit_.value.code == 1
    assert f"order {order.number}: points discount 60.00 but no captured redemption" in (
        out.getvalue()
    )
