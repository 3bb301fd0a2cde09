"""factory-boy factories for our models; Oscar's own come from ``oscar.test.factories``."""

from decimal import Decimal

import factory
from django.utils import timezone
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership.models import Member, Plan, Tier
from oscar_loyalty.apps.membership.numbers import generate_number


class PlanFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Plan {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")
    price = Decimal("0.00")
    period_months = None

    class Meta:
        model = Plan


class TierFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Tier {n}")
    code = factory.Sequence(lambda n: f"tier-{n}")
    qualifying_spend = Decimal("0.00")

    class Meta:
        model = Tier


class MemberFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    number = factory.LazyFunction(lambda: generate_number(length=10))
    plan = factory.SubFactory(PlanFactory)
    joined_at = factory.LazyFunction(timezone.now)

    class Meta:
        model = Member


# Points --------------------------------------------------------------------

from datetime import timedelta  # noqa: E402

from oscar_loyalty.apps.points.models import PointsPromotion  # noqa: E402


class PointsPromotionFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Promotion {n}")
    multiplier = Decimal("2.00")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    is_active = True

    class Meta:
        model = PointsPromotion


# Offers and prices ---------------------------------------------------------

from oscar_loyalty.apps.offers.models import MemberPrice, PrizeDraw, TierDiscount  # noqa: E402


class MemberPriceFactory(factory.django.DjangoModelFactory):
    price = Decimal("8.00")

    class Meta:
        model = MemberPrice


class TierDiscountFactory(factory.django.DjangoModelFactory):
    tier = factory.SubFactory(TierFactory)
    percent = Decimal("10.00")

    class Meta:
        model = TierDiscount


class PrizeDrawFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Draw {n}")
    prize = "A weekend in Eilat"
    winners_count = 1

    class Meta:
        model = PrizeDraw


# Referrals -----------------------------------------------------------------

from oscar_loyalty.apps.referrals.models import Referral, ReferralCode  # noqa: E402
from oscar_loyalty.apps.referrals.services import generate_code  # noqa: E402


class ReferralCodeFactory(factory.django.DjangoModelFactory):
    member = factory.SubFactory(MemberFactory)
    code = factory.LazyFunction(generate_code)

    class Meta:
        model = ReferralCode


class ReferralFactory(factory.django.DjangoModelFactory):
    code = factory.SubFactory(ReferralCodeFactory)
    referrer = factory.SelfAttribute("code.member")
    referee = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)

    class Meta:
        model = Referral
