from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_class
from oscar.test.factories import UserFactory, VoucherFactory, create_product

from oscar_loyalty.vouchers import VoucherAddView
from tests.checkout import add_to_basket

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings):
    settings.OSCAR_LOYALTY_VOUCHER_RATE_LIMIT = (3, 600)


@pytest.fixture
def shopper():
    client = Client(REMOTE_ADDR="198.51.100.5")
    client.force_login(UserFactory())
    add_to_basket(client, create_product(price=D("50.00"), num_in_stock=5))
    return client


def enter(client, code):
    response = client.post(reverse("basket:vouchers-add"), {"code": code}, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def basket_vouchers(client):
    return list(client.get(reverse("basket:summary")).context["basket"].vouchers.all())


def test_the_class_loader_serves_the_rate_limited_view():
    assert get_class("basket.views", "VoucherAddView") is VoucherAddView


def test_guessing_voucher_codes_is_stopped_and_then_nothing_changes(shopper, limit):
    voucher = VoucherFactory(code="REALCODE")
    for guess in ("GUESS1", "GUESS2", "GUESS3"):
        messages = enter(shopper, guess)
        assert any(f"found with code '{guess}'" in m for m in messages), messages
    messages = enter(shopper, voucher.code)
    assert any("Too many voucher codes tried" in m for m in messages)
    assert basket_vouchers(shopper) == []


def test_a_good_code_still_works_under_the_limit_and_does_not_count(shopper, limit):
    voucher = VoucherFactory(code="REALCODE")
    enter(shopper, "GUESS1")
    enter(shopper, "GUESS2")
    for _ in range(3):
        enter(shopper, voucher.code)  # known codes never count
    assert not any("Too many" in m for m in enter(shopper, voucher.code))


def test_the_limit_is_per_address_and_per_user(shopper, limit):
    for guess in ("GUESS1", "GUESS2", "GUESS3"):
        enter(shopper, guess)
    other = Client(REMOTE_ADDR="198.51.100.99")
    other.force_login(UserFactory())
    add_to_basket(other, create_product(price=D("20.00"), num_in_stock=5))
    assert not any("Too many" in m for m in enter(other, "GUESS4"))
