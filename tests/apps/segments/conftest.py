"""A small club whose members differ in exactly one thing each, for the criteria tests."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.test.factories import (
    CategoryFactory,
    OrderFactory,
    OrderLineFactory,
    UserFactory,
    create_product,
    create_stockrecord,
)

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord
from tests.apps.newsletter.conftest import newsletter, send_now  # noqa: F401 (fixtures)
from tests.apps.offers.conftest import (  # noqa: F401 (fixtures)
    guest_client,
    guest_user,
    member,
    member_client,
    product,
    tier,
)
from tests.factories import MemberFactory, TierFactory


def make_member(email: str, *, consenting: bool = False, **kwargs):
    club_member = MemberFactory(user=UserFactory(email=email), **kwargs)
    if consenting:
        consent.record_consent(
            club_member.user,
            purpose="marketing",
            channel="email",
            action=ConsentRecord.GRANT,
            source=ConsentRecord.SOURCE_DOI,
        )
    return club_member


def buy(buyer, *, days_ago: int, total: str = "100.00", item=None, status=None):
    """An order placed ``days_ago`` days ago for ``total``, optionally with one product line."""
    placed = timezone.now() - timedelta(days=days_ago)
    extra = {"status": status} if status else {}
    order = OrderFactory(
        user=buyer.user,
        date_placed=placed,
        total_incl_tax=D(total),
        total_excl_tax=D(total),
        **extra,
    )
    if item is not None:
        OrderLineFactory(order=order, product=item)
    return order


@pytest.fixture
def catalogue(db):
    shoes = CategoryFactory(name="Shoes")
    running = shoes.add_child(name="Running shoes")
    hats = CategoryFactory(name="Hats")
    sneaker = create_product(title="Sneaker", upc="SNEAK-1")
    sneaker.categories.add(running)
    create_stockrecord(sneaker, price=D("80.00"), num_in_stock=10)
    boots = create_product(title="Boots parent", upc="BOOTS", structure="parent")
    boots.categories.add(shoes)
    boot_42 = create_product(title="Boots 42", upc="BOOTS-42", structure="child", parent=boots)
    create_stockrecord(boot_42, price=D("150.00"), num_in_stock=10)
    cap = create_product(title="Cap", upc="CAP-1")
    cap.categories.add(hats)
    create_stockrecord(cap, price=D("20.00"), num_in_stock=10)
    return {
        "shoes": shoes,
        "running": running,
        "hats": hats,
        "sneaker": sneaker,
        "boots": boots,
        "boot_42": boot_42,
        "cap": cap,
    }


@pytest.fixture
def club(db, catalogue):
    """Members named for what sets them apart."""
    gold = TierFactory(name="Gold", code="gold")
    today = timezone.localdate()
    m = {
        "tlv_shoes": make_member(
            "tlv@example.com", city="Tel Aviv", region="tel-aviv", consenting=True
        ),
        "tlv_old_shoes": make_member("tlv-old@example.com", city="tel aviv", consenting=True),
        "tlv_no_consent": make_member("tlv-nc@example.com", city="Tel Aviv"),
        "haifa_shoes": make_member(
            "haifa@example.com", city="Haifa", region="haifa", consenting=True
        ),
        "big_spender": make_member("big@example.com", tier=gold, customer_type="business"),
        "young": make_member("young@example.com", birthday=date(today.year - 20, 1, 1)),
        "never_bought": make_member("never@example.com"),
    }
    m["tlv_shoes"].interests.add(catalogue["shoes"])
    buy(m["tlv_shoes"], days_ago=10, item=catalogue["sneaker"])  # a child category
    buy(m["tlv_old_shoes"], days_ago=200, item=catalogue["boot_42"])  # too long ago
    buy(m["tlv_no_consent"], days_ago=5, item=catalogue["boot_42"])  # a variant
    buy(m["haifa_shoes"], days_ago=20, item=catalogue["sneaker"])
    for days in (1, 3, 40):
        buy(m["big_spender"], days_ago=days, total="1000.00", item=catalogue["cap"])
    buy(m["young"], days_ago=100, total="50.00", item=catalogue["cap"])
    buy(m["young"], days_ago=2, total="999.00", status="Cancelled")  # does not count
    return m
