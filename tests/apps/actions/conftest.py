"""Shared helpers for the actions tests: rules, members, reviews and balances."""

from datetime import timedelta

import factory
import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty.apps.actions.models import ActionRule
from oscar_loyalty.apps.points.models import PointsAccount

ProductReview = get_model("reviews", "ProductReview")


class ActionRuleFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Rule {n}")
    code = factory.Sequence(lambda n: f"rule-{n}")
    kind = ActionRule.CUSTOM
    points = 50
    is_active = True

    class Meta:
        model = ActionRule


@pytest.fixture
def points_settings(settings):
    settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "1"
    settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 0
    settings.OSCAR_LOYALTY_POINTS_EXPIRY_MONTHS = 12
    return settings


def balance(member) -> int:
    account = PointsAccount.objects.filter(member=member).first()
    return account.balance - account.debt if account else 0


def days(n: int):
    return timezone.now() + timedelta(days=n)


def set_review_status(review, status):
    """What Oscar's dashboard does: set the status on the object and save it."""
    review.status = status
    review.save()
