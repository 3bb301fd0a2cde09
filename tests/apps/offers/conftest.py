"""Shoppers, members and products for the offers tests."""

from decimal import Decimal as D

import pytest
from django.test import Client
from oscar.test.factories import UserFactory, create_product

from tests.factories import MemberFactory, TierFactory


@pytest.fixture
def tier(db):
    return TierFactory(name="Silver", code="silver")


@pytest.fixture
def member(db, free_plan, tier):
    user = UserFactory(email="member@example.com", first_name="Dana")
    return MemberFactory(user=user, plan=free_plan, tier=tier)


@pytest.fixture
def member_client(member):
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def guest_user(db):
    return UserFactory(email="guest@example.com", first_name="Noa")


@pytest.fixture
def guest_client(guest_user):
    client = Client()
    client.force_login(guest_user)
    return client


@pytest.fixture
def product(db):
    return create_product(title="Olive oil", price=D("10.00"), num_in_stock=100)
