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
