"""Spending points at the till: the points debit, idempotent per receipt, same rules as the web."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.partners import instore
from oscar_loyalty.apps.points import services as points
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry, PointsRedemption
from oscar_loyalty.exceptions import InStorePurchaseError, InsufficientPoints, NotAMember
from tests.apps.partners.conftest import grant
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = "loyalty_dashboard:loyalty-instore-spend"


@pytest.fixture
def cashier():
    return grant(UserFactory(is_staff=True), "use_instore_till")


@pytest.fixture
def shopper(db):
    member = MemberFactory(user__first_name="Noa")
    points.adjust_points(member, 1000, reason="Start", staff_user=None)
    return member


def balance(member) -> int:
    return PointsAccount.objects.get(member=member).balance


def test_spending_at_the_till_debits_the_ledger_as_a_spend_by_the_cashier(shopper, cashier):
    entry, created = instore.spend_points(
        shopper, points_to_spend=300, receipt="T1-0042", staff_user=cashier
    )
    assert created
    assert (entry.kind, entry.points, entry.staff_user) == (PointsEntry.REDEEM, -300, cashier)
    assert entry.idempotency_key == "instore:spend:T1-0042"
    assert "T1-0042" in entry.reason
    assert balance(shopper) == 700


def test_a_retried_receipt_returns_the_first_spend_and_takes_nothing_more(shopper):
    first, _ = instore.spend_points(shopper, points_to_spend=300, receipt="T1-0042")
    again, created = instore.spend_points(shopper, points_to_spend=300, receipt="T1-0042")
    assert (again.pk, created) == (first.pk, False)
    assert balance(shopper) == 700
    assert PointsEntry.objects.filter(kind=PointsEntry.REDEEM).count() == 1


def test_the_same_receipt_with_other_points_or_another_member_is_refused(shopper):
    instore.spend_points(shopper, points_to_spend=300, receipt="T1-0042")
    with pytest.raises(InStorePurchaseError, match="300 points were already spent"):
        instore.spend_points(shopper, points_to_spend=200, receipt="T1-0042")
    other = MemberFactory()
    points.adjust_points(other, 500, reason="Start", staff_user=None)
    with pytest.raises(InStorePurchaseError, match="another member"):
        instore.spend_points(other, points_to_spend=300, receipt="T1-0042")
    assert (balance(shopper), balance(other)) == (700, 500)


def test_more_than_the_balance_is_refused_with_what_is_available(shopper):
    with pytest.raises(InsufficientPoints, match="Only 1000 points are available"):
        instore.spend_points(shopper, points_to_spend=1001, receipt="T1-0043")
    assert balance(shopper) == 1000
    assert not PointsEntry.objects.filter(kind=PointsEntry.REDEEM).exists()


def test_points_a_web_basket_holds_cannot_be_spent_at_the_till(shopper):
    from oscar.test.factories import create_basket

    basket = create_basket(empty=True)
    basket.owner = shopper.user
    basket.save()
    PointsRedemption.objects.create(
        basket=basket,
        account=points.get_account(shopper),
        points=800,
        expires_at=timezone.now() + timedelta(minutes=30),
    )
    with pytest.raises(InsufficientPoints, match="Only 200 points are available"):
        instore.spend_points(shopper, points_to_spend=300, receipt="T1-0044")


def test_the_web_minimums_apply_at_the_till(shopper, settings):
    settings.OSCAR_LOYALTY_POINTS_REDEEM_MIN_POINTS = 100
    with pytest.raises(InStorePurchaseError, match="at least 100 points"):
        instore.spend_points(shopper, points_to_spend=50, receipt="T1-0045")
    settings.OSCAR_LOYALTY_POINTS_REDEEM_MIN_POINTS = 1
    settings.OSCAR_LOYALTY_POINTS_REDEEM_MIN_BALANCE = 5000
    with pytest.raises(InsufficientPoints, match="at least 5000 points"):
        instore.spend_points(shopper, points_to_spend=50, receipt="T1-0045")


def test_an_inactive_membership_cannot_spend(shopper):
    shopper.status = Member.CANCELLED
    shopper.save()
    with pytest.raises(NotAMember):
        instore.spend_points(shopper, points_to_spend=10, receipt="T1-0046")


def test_the_till_page_spends_and_says_what_to_take_off_the_bill(client, cashier, shopper):
    client.force_login(cashier)
    page = client.get(reverse("loyalty_dashboard:loyalty-instore"), {"number": shopper.number})
    assert 'id="loyalty-instore-spend"' in page.content.decode()
    data = {"number": shopper.number, "points": "250", "receipt": "T2-0001"}
    response = client.post(reverse(URL), data, follow=True)
    text = response.content.decode()
    assert "250 points spent on receipt T2-0001" in text
    assert "2.50" in text
    client.post(reverse(URL), data, follow=True)  # the cashier presses again
    assert balance(shopper) == 750


def test_the_till_page_shows_an_insufficient_balance_and_changes_nothing(client, cashier, shopper):
    client.force_login(cashier)
    data = {"number": shopper.number, "points": "5000", "receipt": "T2-0002"}
    response = client.post(reverse(URL), data)
    assert response.status_code == 200
    assert "Only 1000 points are available." in response.content.decode()
    assert balance(shopper) == 1000


def test_spending_needs_the_till_permission(client, shopper):
    client.force_login(UserFactory(is_staff=True))
    data = {"number": shopper.number, "points": "100", "receipt": "T2-0003"}
    assert client.post(reverse(URL), data).status_code == 403
    assert balance(shopper) == 1000
