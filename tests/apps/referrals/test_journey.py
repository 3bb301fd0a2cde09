"""Issue 5's "done when", through the real share link, registration and checkout views."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.apps.order.processing import EventHandler
from oscar.core.loading import get_model

from oscar_loyalty.apps.points.models import PointsAccount
from oscar_loyalty.apps.points.verification import verify_balances
from oscar_loyalty.apps.referrals.models import Referral, ReferralVisit
from oscar_loyalty.apps.referrals.rewards import mature_due_referrals
from tests.apps.referrals.conftest import signed_in
from tests.checkout import add_to_basket, place_order

pytestmark = pytest.mark.django_db

PaymentEventType = get_model("order", "PaymentEventType")


def test_a_friend_registers_through_the_link_buys_with_the_gift_and_the_referrer_is_rewarded_once(
    referrer, product
):
    # A finds their link on the account tab.
    a = signed_in(referrer.user)
    tab = a.get(reverse("loyalty:referrals")).content.decode()
    link = referrer.referral_code.code
    assert f"/club/r/{link}/" in tab and "https://wa.me/?text=" in tab and "mailto:?" in tab

    # B follows it, registers, and finds the gift in the basket.
    b = Client()
    response = b.get(f"/club/r/{link}/")
    assert response.status_code == 302 and response["Location"] == reverse("customer:register")
    assert ReferralVisit.objects.filter(code__code=link).count() == 1
    response = b.post(
        reverse("customer:register"),
        {"email": "noa@example.com", "password1": "a-long-pass-1", "password2": "a-long-pass-1"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get(referee__email="noa@example.com")
    assert (referral.referrer, referral.status, referral.source) == (referrer, "linked", "link")
    voucher = referral.friend_voucher
    # The gift is in B's basket already: no code to copy from a message.
    add_to_basket(b, product)
    basket_page = b.get(reverse("basket:summary")).content.decode()
    assert voucher.code in basket_page
    # ...and listed under Club gifts once B joins the club.
    from oscar_loyalty.apps.membership.services import join_club

    join_club(referral.referee)
    gifts_page = b.get(reverse("loyalty:offers")).content.decode()
    assert 'id="loyalty-friend-gift-row"' in gifts_page and voucher.code in gifts_page
    assert "In your basket" in gifts_page
    order = place_order(b)
    assert order.total_excl_tax == D("90.00")  # 10 % off the first order
    assert order.discounts.filter(voucher_id=voucher.pk).exists()

    # A's reward is pending, then matures after the return window.
    referral.refresh_from_db()
    assert (referral.status, referral.first_order) == ("pending", order)
    assert not PointsAccount.objects.filter(member=referrer, balance__gt=0).exists()
    assert "Pending until" in a.get(reverse("loyalty:referrals")).content.decode()
    assert mature_due_referrals(now=timezone.now() + timedelta(days=13)) == 0
    assert mature_due_referrals(now=timezone.now() + timedelta(days=15)) == 1
    assert mature_due_referrals(now=timezone.now() + timedelta(days=16)) == 0
    assert PointsAccount.objects.get(member=referrer).balance == 500
    assert "500 points" in a.get(reverse("loyalty:referrals")).content.decode()

    # A refund of B's order takes A's reward back, once.
    refund = PaymentEventType.objects.create(name="Refunded")
    EventHandler().handle_payment_event(order, refund, order.total_incl_tax)
    EventHandler().handle_payment_event(order, refund, order.total_incl_tax)
    referral.refresh_from_db()
    assert referral.status == "reversed"
    assert PointsAccount.objects.get(member=referrer).balance == 0
    assert verify_balances() == []


def test_a_referrer_following_their_own_link_is_refused_and_nothing_is_stored(referrer, code):
    a = signed_in(referrer.user)
    response = a.get(f"/club/r/{code.code}/", follow=True)
    assert "You cannot use your own referral code." in response.content.decode()
    assert not ReferralVisit.objects.exists()
    assert "loyalty_referral" not in a.session


def test_a_referrer_typing_their_own_code_at_checkout_is_refused(referrer, code, product):
    a = signed_in(referrer.user)
    add_to_basket(a, product)
    response = a.post(reverse("loyalty:referral-enter"), {"code": code.code}, follow=True)
    assert "You cannot use your own referral code." in response.content.decode()
    assert not Referral.objects.exists()


def register(client, email, **extra):
    data = {"email": email, "password1": "a-long-pass-1", "password2": "a-long-pass-1"}
    return client.post(reverse("customer:register"), {**data, **extra}, follow=True)


def test_a_code_typed_at_registration_links_the_friend(code):
    form = Client().get(reverse("customer:register")).content.decode()
    assert 'name="referral_code"' in form
    page = register(Client(), "noa@example.com", referral_code=f" {code.code.lower()} ")
    referral = Referral.objects.get(referee__email="noa@example.com")
    assert (referral.referrer, referral.source) == (code.member, "registration")
    assert referral.friend_voucher.code in page.content.decode()


def test_a_bad_code_at_registration_gets_a_message_and_the_account_is_still_made(code):
    page = register(Client(), "danalevi+2@gmail.com", referral_code=code.code)
    assert "You cannot use your own referral code." in page.content.decode()
    page = register(Client(), "noa@example.com", referral_code="WRONG234")
    assert "This referral code is not valid." in page.content.decode()
    assert get_model("auth", "User").objects.filter(email="noa@example.com").exists()
    assert not Referral.objects.exists()
