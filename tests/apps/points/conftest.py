"""Shared helpers for the points tests: members, baskets and real Oscar orders."""

from decimal import Decimal as D

import pytest
from oscar.apps.offer.applicator import Applicator
from oscar.apps.partner.strategy import Default
from oscar.core.loading import get_model
from oscar.test.factories import create_order, create_product

from oscar_loyalty.apps.points import services
from tests.factories import MemberFactory

Basket = get_model("basket", "Basket")


@pytest.fixture
def member(db):
    return MemberFactory()


@pytest.fixture
def points_settings(settings):
    """Plain, predictable rules: 1 point per unit, spendable at once, 100 points = 1.00."""
    settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "1"
    settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 0
    settings.OSCAR_LOYALTY_POINTS_VALUE = "0.01"
    settings.OSCAR_LOYALTY_POINTS_EXPIRY_MONTHS = 12
    return settings


def make_basket(user, prices=(D("100.00"),), products=None):
    basket = Basket.objects.create(owner=user)
    basket.strategy = Default()
    for product in products or [create_product(price=price, num_in_stock=100) for price in prices]:
        basket.add_product(product)
    Applicator().apply(basket, user)
    return basket


def reapply(basket):
    """What Oscar's basket middleware does on every request."""
    for attr in ("_loyalty_redemption", "_loyalty_member"):
        if hasattr(basket, attr):
            delattr(basket, attr)
    basket.reset_offer_applications()
    Applicator().apply(basket, basket.owner)
    return basket


def place(user, prices=(D("100.00"),), products=None, basket=None):
    """A real order through Oscar's OrderCreator, offers applied as in the checkout."""
    basket = basket or make_basket(user, prices, products)
    return create_order(basket=basket, user=user)


def credit(member, points, *, now=None, reason="Test credit"):
    return services.adjust_points(member, points, reason=reason, staff_user=None, now=now)


def balance(member) -> int:
    """The member's spendable balance, read from the database now."""
    from oscar_loyalty.apps.points.models import PointsAccount

    return PointsAccount.objects.get(member=member).balance
