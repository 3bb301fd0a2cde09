"""The in-store till page: read a card, record a purchase as an Oscar order that earns."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.journey.models import OrderChannel
from oscar_loyalty.apps.partners import instore
from oscar_loyalty.apps.points.models import PointsEarning
from oscar_loyalty.exceptions import InStorePurchaseError
from tests.apps.partners.conftest import grant
from tests.factories import MemberFactory, TierFactory

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db

URL = "loyalty_dashboard:loyalty-instore"


@pytest.fixture
def cashier():
    user = grant(UserFactory(is_staff=True), "use_instore_till")
    return user


@pytest.fixture
def shopper(db):
    return MemberFactory(
        user__first_name="Noa", user__last_name="Mizrahi", tier=TierFactory(name="Gold")
    )


def test_staff_without_the_till_permission_get_403(client, shopper):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(URL), {"number": shopper.number}).status_code == 403
    response = client.post(
        reverse(URL), {"number": shopper.number, "amount": "10.00", "receipt": "R1"}
    )
    assert response.status_code == 403
    assert not Order.objects.exists()


def test_a_typed_card_number_shows_name_tier_and_balance(client, cashier, shopper):
    from oscar_loyalty.apps.points import services

    services.adjust_points(shopper, 250, reason="Start", staff_user=None)
    client.force_login(cashier)
    page = client.get(reverse(URL), {"number": shopper.formatted_number}).content.decode()
    assert "Noa" in page and "Gold" in page
    assert 'id="loyalty-instore-balance">250' in page
    assert "oscar_loyalty/js/instore-scanner.js" in page
    assert 'name="receipt"' in page


def test_an_unknown_card_number_says_so(client, cashier):
    client.force_login(cashier)
    page = client.get(reverse(URL), {"number": "1234 5678 90"}, follow=True).content.decode()
    assert "valid member number" in page or "No member has this number" in page
    assert 'name="receipt"' not in page


def test_a_purchase_becomes_an_in_store_order_with_pending_points(
    client, cashier, shopper, settings
):
    settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 14
    client.force_login(cashier)
    response = client.post(
        reverse(URL), {"number": shopper.number, "amount": "84.50", "receipt": "T3-000871"}
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.number == "IS-T3-000871"
    assert (order.user, order.total_incl_tax, order.status) == (
        shopper.user,
        D("84.50"),
        "Pending",
    )
    line = order.lines.get()
    assert line.product is None and line.title == "In-store purchase"
    assert order.loyalty_channel.channel == OrderChannel.IN_STORE
    earning = PointsEarning.objects.get(order=order)
    assert (earning.points, earning.status) == (84, PointsEarning.PENDING)
    assert order.notes.get().user == cashier
    shopper.refresh_from_db()
    assert shopper.qualifying_spend >= D("84.50")


def test_resubmitting_the_same_receipt_creates_no_second_order(client, cashier, shopper):
    client.force_login(cashier)
    data = {"number": shopper.number, "amount": "20.00", "receipt": "T3-000872"}
    client.post(reverse(URL), data)
    page = client.post(reverse(URL), data, follow=True).content.decode()
    assert "already recorded" in page
    assert Order.objects.count() == 1
    assert PointsEarning.objects.count() == 1


def test_a_receipt_recorded_for_one_member_is_refused_for_another(shopper):
    other = MemberFactory()
    instore.record_purchase(shopper, amount=D("10.00"), receipt="R-77")
    with pytest.raises(InStorePurchaseError):
        instore.record_purchase(other, amount=D("10.00"), receipt="R-77")
    assert Order.objects.get().user == shopper.user


def test_a_receipt_with_odd_characters_or_a_bad_amount_is_refused(client, cashier, shopper):
    client.force_login(cashier)
    page = client.post(
        reverse(URL), {"number": shopper.number, "amount": "-3", "receipt": "R 1;drop"}
    )
    assert page.status_code == 200
    assert not Order.objects.exists()


def test_in_store_points_mature_like_any_order(shopper, settings):
    from oscar_loyalty.apps.points import earning, services

    settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 14
    order, created = instore.record_purchase(shopper, amount=D("40.00"), receipt="R-88")
    assert created and services.get_account(shopper).pending == 40
    earning.mature_order(order)
    account = services.get_account(shopper)
    assert (account.balance, account.pending) == (40, 0)
