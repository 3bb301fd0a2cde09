"""Codes, attribution, normalisation and the refusals that change nothing."""

from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory, create_order

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.referrals import fingerprints, services
from oscar_loyalty.apps.referrals.models import Referral, ReferralCode, ReferralVisit
from oscar_loyalty.exceptions import (
    AlreadyReferred,
    ExpiredReferralCode,
    NotFirstOrder,
    SelfReferral,
    TooManyAttempts,
    UnknownReferralCode,
)
from tests.apps.referrals.conftest import signed_in
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_every_member_gets_one_random_unique_code_from_an_unambiguous_alphabet(referrer):
    code = services.get_code(referrer)
    assert services.get_code(referrer) == code
    assert len(code.code) == 8 and set(code.code) <= set(services.ALPHABET)
    assert not set("0O1IL") & set(services.ALPHABET)
    others = {services.get_code(MemberFactory()).code for _ in range(20)}
    assert len(others) == 20 and code.code not in others


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Dana.Levi+shop@GoogleMail.com", "danalevi@gmail.com"),
        (" d.a.n.a@gmail.com ", "dana@gmail.com"),
        ("Dana.Levi+x@Example.com", "dana.levi@example.com"),
    ],
)
def test_emails_are_normalised_for_case_plus_tags_and_gmail_dots(raw, normal):
    assert fingerprints.normalise_email(raw) == normal


def test_signals_are_keyed_hashes_not_the_values(settings):
    digest = fingerprints.email_digest("dana@example.com")
    assert len(digest) == 64 and "dana" not in digest
    settings.SECRET_KEY = "another-key"
    assert fingerprints.email_digest("dana@example.com") != digest


def test_a_friend_is_linked_with_a_single_use_voucher(code, friend):
    referral = services.link_referee(friend, code.code.lower(), source="checkout")
    assert (referral.referrer, referral.status) == (code.member, Referral.LINKED)
    assert referral.friend_voucher.usage == "Single use"
    assert referral.signals["email"] == fingerprints.email_digest("noa@example.com")


def test_the_same_normalised_email_is_a_self_referral(code):
    twin = UserFactory(email="danalevi+2@googlemail.com")
    with pytest.raises(SelfReferral):
        services.link_referee(twin, code.code, source="checkout")
    assert not Referral.objects.exists()


def test_a_second_code_or_a_customer_with_orders_is_refused(code, friend):
    services.link_referee(friend, code.code, source="checkout")
    other = services.get_code(MemberFactory())
    with pytest.raises(AlreadyReferred):
        services.link_referee(friend, other.code, source="checkout")
    shopper = UserFactory()
    create_order(user=shopper)
    with pytest.raises(NotFirstOrder):
        services.link_referee(shopper, code.code, source="checkout")
    assert Referral.objects.count() == 1


def test_unknown_and_expired_codes_are_refused(code, friend):
    with pytest.raises(UnknownReferralCode):
        services.link_referee(friend, "NOPE2345", source="checkout")
    Member.objects.filter(pk=code.member.pk).update(status=Member.CANCELLED)
    with pytest.raises(ExpiredReferralCode):
        services.link_referee(friend, code.code, source="checkout")
    assert not Referral.objects.exists()


def test_failed_codes_are_rate_limited_per_ip(referral_settings):
    referral_settings.OSCAR_LOYALTY_REFERRALS_RATE_LIMIT = (3, 60)
    request = RequestFactory().get("/", REMOTE_ADDR="10.9.8.7")
    for _ in range(3):
        services.check_rate_limit(request)
        services.count_failed_attempt(request)
    with pytest.raises(TooManyAttempts):
        services.check_rate_limit(request)
    services.check_rate_limit(RequestFactory().get("/", REMOTE_ADDR="10.9.8.8"))


def test_guessing_share_links_is_stopped_but_good_links_keep_working_until_then(
    code, referral_settings
):
    referral_settings.OSCAR_LOYALTY_REFERRALS_RATE_LIMIT = (2, 60)
    client = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(5):
        assert client.get(f"/club/r/{code.code}/").status_code == 302
    for guess in ("AAAA2222", "BBBB3333"):
        page = client.get(f"/club/r/{guess}/", follow=True)
        assert "This referral code is not valid." in page.content.decode()
    page = client.get(f"/club/r/{code.code}/", follow=True)
    assert "Too many referral codes tried." in page.content.decode()
    assert ReferralVisit.objects.count() == 5


def test_a_link_is_remembered_for_the_attribution_window_only(code, referral_settings):
    # A guest's visit (a signed-in newcomer is linked at once instead).
    client = Client()
    client.get(f"/club/r/{code.code}/")
    request = RequestFactory().get("/")
    request.session = client.session
    assert services.stored_code(request) == code.code
    request.session = {}
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    assert services.stored_code(request) == code.code  # the signed cookie alone
    request.session = client.session
    later = timezone.now() + timedelta(days=31)
    request.COOKIES = {}
    assert services.stored_code(request, now=later) is None


def test_bad_codes_typed_at_checkout_get_a_message_and_change_nothing(code, friend):
    client = signed_in(friend)
    page = client.post(reverse("loyalty:referral-enter"), {"code": "XXXX2222"}, follow=True)
    assert "This referral code is not valid." in page.content.decode()
    client.post(reverse("loyalty:referral-enter"), {"code": code.code})
    page = client.post(reverse("loyalty:referral-enter"), {"code": code.code}, follow=True)
    assert "You have already used a friend&#x27;s referral code." in page.content.decode()
    assert Referral.objects.count() == 1 and ReferralCode.objects.count() == 1


def test_a_friend_typing_a_code_gets_the_voucher_in_their_basket(code, friend, product):
    from tests.checkout import add_to_basket, place_order

    client = signed_in(friend)
    add_to_basket(client, product)
    basket = client.get(reverse("basket:summary")).content.decode()
    assert 'id="loyalty_referral_form"' in basket
    page = client.post(reverse("loyalty:referral-enter"), {"code": code.code}, follow=True)
    assert "is in your basket" in page.content.decode()
    assert 'id="loyalty_referral_form"' not in page.content.decode()  # referred now
    order = place_order(client)
    assert order.total_excl_tax == order.basket_total_before_discounts_excl_tax * 9 / 10
    assert Referral.objects.get(referee=friend).status == Referral.PENDING


def test_a_missing_friend_offer_still_links_the_friend_without_a_voucher(
    code, friend, referral_settings
):
    referral_settings.OSCAR_LOYALTY_REFERRALS_FRIEND_OFFER = "no-such-offer"
    referral = services.link_referee(friend, code.code, source="checkout")
    assert referral.pk and referral.friend_voucher is None


def test_a_customer_whose_only_order_was_cancelled_still_sees_the_friends_code_box(
    friend, product
):
    from tests.checkout import add_to_basket

    order = create_order(user=friend)
    client = signed_in(friend)
    add_to_basket(client, product)
    assert (
        'id="loyalty_referral_form"' not in client.get(reverse("basket:summary")).content.decode()
    )
    type(order).objects.filter(pk=order.pk).update(status="Cancelled")
    basket = client.get(reverse("basket:summary")).content.decode()
    assert 'id="loyalty_referral_form"' in basket
