"""Rewards on both sides: pending, maturing, caps, review queue and reversal."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_order, create_product

from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry
from oscar_loyalty.apps.points.verification import verify_balances
from oscar_loyalty.apps.referrals import rewards, services
from oscar_loyalty.apps.referrals.models import Referral
from oscar_loyalty.exceptions import ReferralError
from tests.apps.points.conftest import make_basket
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

ShippingAddress = get_model("order", "ShippingAddress")
Country = get_model("address", "Country")


def balance(member) -> int:
    account = PointsAccount.objects.filter(member=member).first()
    return account.balance if account else 0


def address(line1="5 Dizengoff St", postcode="6433222"):
    country, _ = Country.objects.get_or_create(
        iso_3166_1_a2="IL", defaults={"name": "Israel", "printable_name": "Israel"}
    )
    return ShippingAddress.objects.create(
        first_name="X",
        last_name="Y",
        line1=line1,
        line4="Tel Aviv",
        postcode=postcode,
        country=country,
    )


def first_order(user, shipping_address=None):
    basket = make_basket(user, products=[create_product(price=D("50.00"), num_in_stock=10)])
    return create_order(basket=basket, user=user, shipping_address=shipping_address)


def test_the_first_order_makes_the_referrers_reward_pending_until_the_return_window(code, friend):
    referral = services.link_referee(friend, code.code, source="checkout")
    order = first_order(friend)
    referral.refresh_from_db()
    assert referral.status == Referral.PENDING
    assert referral.matures_at == order.date_placed + timedelta(days=14)
    assert balance(code.member) == 0
    rewards.mature_due_referrals(now=referral.matures_at)
    assert balance(code.member) == 500
    entry = PointsEntry.objects.get(idempotency_key=f"referral:{referral.pk}:referrer")
    assert (entry.kind, entry.order) == (PointsEntry.BONUS, order)


def test_a_mature_order_status_rewards_at_once(code, friend, referral_settings):
    referral_settings.OSCAR_LOYALTY_POINTS_MATURE_STATUSES = ["Being processed"]
    services.link_referee(friend, code.code, source="checkout")
    order = first_order(friend)
    order.set_status("Being processed")
    assert Referral.objects.get().status == Referral.REWARDED
    assert balance(code.member) == 500


def test_a_cancelled_first_order_before_maturity_rewards_nobody(code, friend):
    services.link_referee(friend, code.code, source="checkout")
    order = first_order(friend)
    order.set_status("Cancelled")
    assert Referral.objects.get().status == Referral.REVERSED
    assert rewards.mature_due_referrals(now=timezone.now() + timedelta(days=30)) == 0
    assert balance(code.member) == 0


def test_a_reward_already_spent_is_owed_after_a_cancellation(code, friend):
    from oscar_loyalty.apps.points.services import adjust_points

    referral = services.link_referee(friend, code.code, source="checkout")
    order = first_order(friend)
    rewards.mature_due_referrals(now=timezone.now() + timedelta(days=15))
    adjust_points(code.member, -300, reason="Spent", staff_user=None)
    order.set_status("Cancelled")
    order.set_status("Cancelled")  # a replay takes nothing more
    account = PointsAccount.objects.get(member=code.member)
    assert (account.balance, account.debt) == (0, 300)
    assert Referral.objects.get(pk=referral.pk).status == Referral.REVERSED
    assert verify_balances() == []


def test_the_friend_can_get_points_instead_of_a_voucher(code, referral_settings):
    referral_settings.OSCAR_LOYALTY_REFERRALS_FRIEND_REWARD = "points"
    referral_settings.OSCAR_LOYALTY_REFERRALS_FRIEND_POINTS = 200
    friend_member = MemberFactory()
    referral = services.link_referee(friend_member.user, code.code, source="checkout")
    assert referral.friend_voucher is None
    first_order(friend_member.user)
    rewards.mature_due_referrals(now=timezone.now() + timedelta(days=15))
    assert PointsEntry.objects.filter(idempotency_key=f"referral:{referral.pk}:friend").exists()
    assert balance(friend_member) >= 200 and balance(code.member) == 500


def test_the_same_shipping_address_as_the_referrer_sends_the_referral_to_review(code, friend):
    first_order(code.member.user, shipping_address=address("5, Dizengoff st."))
    services.link_referee(friend, code.code, source="checkout")
    first_order(friend, shipping_address=address("5 DIZENGOFF ST"))
    referral = Referral.objects.get()
    assert referral.status == Referral.REVIEW
    assert referral.review_reasons == ["same shipping address as the referrer"]
    assert "Dizengoff" not in str(referral.signals) and len(referral.signals["address"]) == 64
    assert rewards.mature_due_referrals(now=timezone.now() + timedelta(days=30)) == 0

    staff = UserFactory(is_staff=True)
    rewards.approve_referral(referral, staff_user=staff, now=timezone.now() + timedelta(days=15))
    referral.refresh_from_db()
    assert (referral.status, referral.reviewed_by) == (Referral.REWARDED, staff)
    assert balance(code.member) == 500
    with pytest.raises(ReferralError):
        rewards.reject_referral(referral, staff_user=staff)


def fingerprint_by_email(order):
    """A stand-in payment hook: the "card" is the account's email domain."""
    return order.user.email.split("@")[1] if order.user else None


def test_the_same_payment_fingerprint_sends_the_referral_to_review_and_staff_can_reject(
    code, referral_settings
):
    referral_settings.OSCAR_LOYALTY_REFERRALS_PAYMENT_FINGERPRINT = (
        "tests.apps.referrals.test_rewards.fingerprint_by_email"
    )
    first_order(code.member.user)
    twin = UserFactory(email="someone@gmail.com")
    services.link_referee(twin, code.code, source="checkout")
    first_order(twin)
    referral = Referral.objects.get()
    assert referral.review_reasons == ["same payment method as the referrer"]
    rewards.reject_referral(referral, staff_user=UserFactory(is_staff=True))
    assert Referral.objects.get().status == Referral.REJECTED
    assert rewards.mature_due_referrals(now=timezone.now() + timedelta(days=30)) == 0
    assert balance(code.member) == 0


def test_the_monthly_cap_leaves_further_referrals_without_a_referrer_reward(
    code, referral_settings
):
    referral_settings.OSCAR_LOYALTY_REFERRALS_MONTHLY_CAP = 1
    friends = [UserFactory(), UserFactory()]
    for user in friends:
        services.link_referee(user, code.code, source="checkout")
        first_order(user)
    statuses = sorted(Referral.objects.values_list("status", flat=True))
    assert statuses == [Referral.CAPPED, Referral.PENDING]
    rewards.mature_due_referrals(now=timezone.now() + timedelta(days=15))
    assert balance(code.member) == 500


def test_the_total_cap_counts_every_month(code, referral_settings):
    referral_settings.OSCAR_LOYALTY_REFERRALS_TOTAL_CAP = 1
    old = services.link_referee(UserFactory(), code.code, source="checkout")
    Referral.objects.filter(pk=old.pk).update(
        status=Referral.REWARDED, qualified_at=timezone.now() - timedelta(days=90)
    )
    user = UserFactory()
    services.link_referee(user, code.code, source="checkout")
    first_order(user)
    assert Referral.objects.get(referee=user).status == Referral.CAPPED


def test_a_signed_in_customer_who_follows_a_link_is_linked_and_orders_with_the_gift(
    code, friend, product
):
    from tests.apps.referrals.conftest import signed_in
    from tests.checkout import add_to_basket, place_order

    client = signed_in(friend)
    client.get(f"/club/r/{code.code}/")
    referral = Referral.objects.get(referee=friend)
    assert referral.source == "link" and referral.friend_voucher is not None
    add_to_basket(client, product)
    order = place_order(client)
    referral.refresh_from_db()
    assert (referral.first_order, referral.status) == (order, Referral.PENDING)
    # The gift was in the basket: the order carries its discount.
    assert order.discounts.filter(voucher_id=referral.friend_voucher_id).exists()
    assert order.total_excl_tax == D("90.00")
    assert "loyalty_referral" not in client.session


def test_a_signed_in_customer_with_earlier_orders_following_a_link_is_not_linked(
    code, friend, product
):
    from tests.apps.referrals.conftest import signed_in

    first_order(friend)
    signed_in(friend).get(f"/club/r/{code.code}/")
    assert not Referral.objects.filter(referee=friend).exists()


def test_the_referrer_is_emailed_about_the_reward_only_with_marketing_consent(
    code, friend, mailoutbox, django_capture_on_commit_callbacks
):
    from oscar_loyalty.apps.consent.models import ConsentRecord
    from oscar_loyalty.apps.consent.services import record_consent

    services.link_referee(friend, code.code, source="checkout")
    first_order(friend)
    quiet_user = UserFactory()
    services.link_referee(quiet_user, services.get_code(MemberFactory()).code, source="link")
    first_order(quiet_user)
    record_consent(
        code.member.user,
        purpose="marketing",
        channel="email",
        action="grant",
        source=ConsentRecord.SOURCE_DOI,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert rewards.mature_due_referrals(now=timezone.now() + timedelta(days=15)) == 2
    assert [message.to for message in mailoutbox] == [[code.member.user.email]]
    assert "A friend you invited joined the club" in mailoutbox[0].body
