"""The basket's member has one home, shared by the offers and the points."""

import pytest
from oscar.test.factories import BasketFactory

from oscar_loyalty.apps.membership.baskets import basket_member
from oscar_loyalty.apps.offers import conditions
from oscar_loyalty.apps.points import benefits
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_the_offers_and_the_points_read_a_basket_owner_once(django_assert_num_queries):
    member = MemberFactory()
    basket = BasketFactory(owner=member.user)  # no strategy: no request's club context
    with django_assert_num_queries(1):
        assert conditions.basket_member(basket) == member
        assert benefits.basket_member(basket) == member
        assert basket_member(basket) == member


def test_a_guest_basket_has_no_member_and_costs_no_query(django_assert_num_queries):
    basket = BasketFactory(owner=None)
    with django_assert_num_queries(0):
        assert basket_member(basket) is None
