"""Challenge fixtures: members, real Oscar orders, and a way to make a challenge."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from oscar_loyalty.apps.challenges.models import Challenge
from oscar_loyalty.apps.points.models import PointsAccount
from tests.apps.points.conftest import make_basket, place
from tests.factories import MemberFactory

Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")
PaymentEventType = get_model("order", "PaymentEventType")


@pytest.fixture(autouse=True)
def _points(settings):
    settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "1"
    settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 0
    settings.OSCAR_LOYALTY_POINTS_VALUE = "0.01"
    return settings


@pytest.fixture
def member(db):
    return MemberFactory()


def make_challenge(**fields) -> Challenge:
    values = {
        "name": "Three orders in 30 days",
        "kind": Challenge.ORDERS,
        "target": 3,
        "period_days": 30,
        "starts_at": timezone.now() - timedelta(days=1),
        "reward_kind": Challenge.POINTS,
        "reward_points": 300,
    }
    values.update(fields)
    return Challenge.objects.create(**values)


def order_for(member, *, products=None, price=D("50.00")):
    products = products or [create_product(price=price, num_in_stock=100)]
    return place(member.user, basket=make_basket(member.user, products=products))


def product_in(category_name: str):
    category = Category.add_root(name=category_name)
    product = create_product(price=D("20.00"), num_in_stock=100)
    ProductCategory.objects.create(product=product, category=category)
    return product


def refund_in_full(order):
    from oscar.apps.order.processing import EventHandler

    EventHandler().handle_payment_event(
        order, PaymentEventType.objects.get_or_create(name="Refunded")[0], order.total_incl_tax
    )


def balance(member) -> int:
    return PointsAccount.objects.get(member=member).balance


def challenge_points(member) -> int:
    """Points the member has from challenges, credits less reversals (the ledger's own rows)."""
    from django.db.models import Sum

    from oscar_loyalty.apps.points.models import PointsEntry

    entries = PointsEntry.objects.filter(
        account__member=member, idempotency_key__startswith="challenge:"
    )
    return (entries.aggregate(total=Sum("points"))["total"] or 0) + (
        entries.aggregate(total=Sum("debt"))["total"] or 0
    ) * -1
