""" "Ways to earn" on the member's home: the earning policy's rules in force and the bonuses."""

from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.test.factories import CategoryFactory, RangeFactory

from oscar_loyalty.apps.points import home
from oscar_loyalty.apps.points.bonuses import award_bonus
from oscar_loyalty.apps.points.policies import DefaultEarningPolicy, EarningPolicy, EarningRule
from tests.factories import MemberFactory, PointsPromotionFactory, TierFactory

pytestmark = pytest.mark.django_db


class WeekendPolicy(DefaultEarningPolicy):
    def base_rate(self, member, *, now):
        return super().base_rate(member, now=now) * 2


class QuietPolicy(EarningPolicy):
    def quote_order(self, order, member, *, now):
        raise NotImplementedError

    def quote_basket(self, basket, member, *, now):
        raise NotImplementedError


def test_the_default_policy_lists_its_base_rate_with_tier_and_promotion(points_settings):
    member = MemberFactory(tier=TierFactory(points_multiplier=D("1.50")))
    PointsPromotionFactory(multiplier=D("2"))
    [rule] = DefaultEarningPolicy().earning_rules(member, now=timezone.now())
    assert rule == EarningRule(D("3.00"), tier_multiplier=D("1.50"), promotion=D("2.00"))


def test_category_and_range_multipliers_are_listed_by_name(points_settings):
    CategoryFactory(name="Coffee", slug="coffee")
    RangeFactory(name="Summer range", slug="summer")
    points_settings.OSCAR_LOYALTY_POINTS_CATEGORY_MULTIPLIERS = {"coffee": 3}
    points_settings.OSCAR_LOYALTY_POINTS_RANGE_MULTIPLIERS = {"summer": "1.5"}
    rules = DefaultEarningPolicy().earning_rules(MemberFactory(), now=timezone.now())
    assert [(rule.scope, rule.rate) for rule in rules] == [
        ("", D("1")),
        ("Coffee", D("3")),
        ("Summer range", D("1.5")),
    ]
    texts = [way.text for way in home.ways_to_earn(MemberFactory(), now=timezone.now())]
    assert any("3 points for every" in text and "Coffee" in text for text in texts)


def test_a_store_s_own_policy_shows_its_own_rate(points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_EARNING_POLICY = f"{__name__}.WeekendPolicy"
    [first, *_] = home.ways_to_earn(MemberFactory(), now=timezone.now())
    assert first.text.startswith("2 points for every")


def test_a_policy_without_rules_still_lists_the_bonuses(points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_EARNING_POLICY = f"{__name__}.QuietPolicy"
    points_settings.OSCAR_LOYALTY_POINTS_BONUSES = {"birthday": 40}
    texts = [way.text for way in home.ways_to_earn(MemberFactory(), now=timezone.now())]
    assert texts == ["40 points on your birthday"]


def test_one_off_bonuses_received_are_left_out(points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_BONUSES = {"profile": 30, "newsletter": 20}
    member = MemberFactory()
    award_bonus(member, kind="newsletter")
    ways = home.ways_to_earn(member, now=timezone.now())
    texts = " ".join(way.text for way in ways)
    assert "completing your club profile" in texts
    assert "newsletter" not in texts
