"""Shared helpers for the rewards tests: rewards of each kind, members with points."""

from decimal import Decimal as D

import factory
import pytest
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from oscar_loyalty.apps.rewards.models import Reward
from tests.apps.points.conftest import (  # noqa: F401
    credit,
    make_basket,
    member,
    place,
    points_settings,
    reapply,
)

ConditionalOffer = get_model("offer", "ConditionalOffer")
Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
Range = get_model("offer", "Range")


def voucher_offer(name="Reward voucher 20"):
    everything, _ = Range.objects.get_or_create(
        name="Everything (rewards)", defaults={"includes_all_products": True}
    )
    return ConditionalOffer.objects.create(
        name=name,
        offer_type=ConditionalOffer.VOUCHER,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.FIXED, value=D("20.00")),
    )


class RewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reward

    name = factory.Sequence(lambda n: f"Reward {n}")
    kind = Reward.VOUCHER
    points = 500
    voucher_offer = factory.Sequence(lambda n: voucher_offer(f"Reward voucher {n}"))


def gift_reward(**kwargs):
    kwargs.setdefault("product", create_product(price=D("80.00"), num_in_stock=50))
    return RewardFactory(kind=Reward.GIFT, voucher_offer=None, **kwargs)


def cash_reward(**kwargs):
    kwargs.setdefault("product", create_product(price=D("149.90"), num_in_stock=50))
    kwargs.setdefault("cash", D("49.90"))
    return RewardFactory(kind=Reward.POINTS_PLUS_CASH, voucher_offer=None, **kwargs)


@pytest.fixture
def rewards_settings(points_settings):  # noqa: F811 (the points fixture, imported above)
    # Only the rewards move the balance in these tests.
    points_settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "0"
    return points_settings


def empty_basket(user):
    from oscar.apps.partner.strategy import Default

    basket = get_model("basket", "Basket").objects.create(owner=user)
    basket.strategy = Default()
    return basket
