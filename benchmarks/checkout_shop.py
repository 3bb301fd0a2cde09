"""The checkout benchmark's stores: the same catalogue and shoppers in each (benchmarks.checkout).

Run in each child process (``checkout_child``) before it walks the checkout: the
database (created on PostgreSQL the first time), 20 products at 10.00, two public
ranges, two customers and two running offers (free shipping, a sale); with the add-on
also their memberships, member prices and points, and the two offers are tier perks.
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal as D

# The product list measured with each basket size.
LIST_FOR = {1: 5, 5: 5, 20: 20}
PREFIX = "Bench checkout"


def ensure_database() -> None:
    """Create the configuration's PostgreSQL database the first time (SQLite makes its file)."""
    from django.db import OperationalError, connection

    try:
        connection.ensure_connection()
    except OperationalError:
        if connection.vendor != "postgresql":
            raise
        name = connection.settings_dict["NAME"]
        # Django's own way to reach the server without the missing database.
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')


def offers_setting() -> dict[str, bool]:
    """Which offers the stores run (``_build_offers``): the environment's setting."""
    perks = os.environ.get("BENCH_TIER_PERKS", "1") != "0"
    return {
        "tier_perks": perks,
        "stock_offers": perks and os.environ.get("BENCH_STOCK_OFFERS") == "1",
        "stock_voucher": os.environ.get("BENCH_STOCK_VOUCHER") == "1",
    }


# The stock store's spender, with ``BENCH_STOCK_VOUCHER=1``: Oscar's own way to take
# money off one customer's order, worth what the add-on's spender takes off with
# 100 points (1.00 at the default point value).
VOUCHER_CODE = "BENCHSPEND"
VOUCHER_DISCOUNT = D("1.00")


def build_shop(n_products: int, *, addon: bool) -> dict:
    """The same catalogue and customers in either store; with the add-on, the club's rows too."""
    from django.utils.crypto import get_random_string
    from django.utils.text import slugify
    from oscar.core.loading import get_model
    from oscar.test.factories import RangeFactory, UserFactory, create_product

    from tests.checkout import ensure_country

    Product = get_model("catalogue", "Product")
    ensure_country()
    products = list(Product.objects.filter(title__startswith=PREFIX).order_by("pk"))
    for i in range(len(products), n_products):
        products.append(
            create_product(title=f"{PREFIX} {i}", price=D("10.00"), num_in_stock=10**6)
        )
    for product in products:
        product.stockrecords.update(num_in_stock=10**6, num_allocated=0)
    ranges = {}
    for size in set(LIST_FOR.values()):
        name = f"{PREFIX} {size} {get_random_string(6)}"
        ranges[size] = RangeFactory(
            name=name, slug=slugify(name), is_public=True, products=products[:size]
        )
    suffix = get_random_string(8).lower()
    users = {
        kind: UserFactory(email=f"{kind}-{suffix}@example.com", username=f"{kind}-{suffix}")
        for kind in ("spender", "earner")
    }
    offers = offers_setting()
    if addon:
        tier = _build_club(products, users, suffix)
        _build_offers(running=offers["tier_perks"], tier=tier)
    else:
        _build_offers(running=offers["stock_offers"], tier=None)
        if offers["stock_voucher"]:
            _build_voucher()
    # The code the stock spender redeems (BENCH_STOCK_VOUCHER=1), or None.
    voucher = VOUCHER_CODE if offers["stock_voucher"] and not addon else None
    return {
        "products": products,
        "ranges": ranges,
        "users": users,
        "suffix": suffix,
        "voucher": voucher,
    }


def _build_voucher() -> None:
    """A multi-use voucher, 1.00 off any basket: the stock spender's discount (Oscar's own)."""
    from django.utils import timezone
    from oscar.core.loading import get_model
    from oscar.test.factories import RangeFactory

    Benefit = get_model("offer", "Benefit")
    Condition = get_model("offer", "Condition")
    ConditionalOffer = get_model("offer", "ConditionalOffer")
    Voucher = get_model("voucher", "Voucher")
    if Voucher.objects.filter(code=VOUCHER_CODE).exists():
        return
    everything = RangeFactory(name="Bench voucher range", includes_all_products=True)
    offer = ConditionalOffer.objects.create(
        name="Bench voucher",
        offer_type=ConditionalOffer.VOUCHER,
        condition=Condition.objects.create(type=Condition.COUNT, range=everything, value=1),
        benefit=Benefit.objects.create(
            type=Benefit.FIXED, range=everything, value=VOUCHER_DISCOUNT
        ),
    )
    now = timezone.now()
    voucher = Voucher.objects.create(
        name="Bench voucher",
        code=VOUCHER_CODE,
        usage=Voucher.MULTI_USE,
        start_datetime=now - timedelta(days=1),
        end_datetime=now + timedelta(days=3650),
    )
    voucher.offers.add(offer)


def _build_club(products, users, suffix: str) -> None:
    from oscar_loyalty.apps.membership.models import Member, Plan, Tier
    from oscar_loyalty.apps.offers.models import MemberPrice
    from oscar_loyalty.apps.points import services

    for product in products:
        MemberPrice.objects.get_or_create(
            stockrecord=product.stockrecords.get(), defaults={"price": D("9.00")}
        )
    tier, _ = Tier.objects.get_or_create(
        code="bench-gold",
        defaults={"name": "Bench gold", "qualifying_spend": D("0"), "discount_percent": D("5")},
    )
    plan, _ = Plan.objects.get_or_create(
        slug="bench-club", defaults={"name": "Bench club", "price": D("0.00")}
    )
    for kind, user in users.items():
        member = Member.objects.create(
            user=user, plan=plan, tier=tier, number=f"{kind[0]}{suffix}"[:10].upper()
        )
        services.adjust_points(member, 10**8, reason="Benchmark", staff_user=None)
    return tier


def _build_offers(*, running: bool, tier) -> None:
    """Two offers: free shipping on a range of every product, and a sale on a range that
    holds none of the benchmark's products. Both are asked on every request that prices a
    basket; neither changes the order (the shipping method is free already and the sale's
    range holds nothing bought).

    With the add-on (``tier`` given) they are tier perks for the members' tier (issue
    #22's budget: a perk costs no query), the sale an early-access one; they run unless
    ``BENCH_TIER_PERKS=0``. The stock store runs none by default, so every page's query
    budget is checked against a store without offers. ``BENCH_STOCK_OFFERS=1`` gives it
    the same two as Oscar's own site offers, for every shopper (what a store without the
    club runs to give free shipping or hold a sale): then both stores evaluate the same
    offers and the time compared is what the club adds to them. docs/performance.md
    has the figures of the three settings.

    Switching them off suspends them in a database that has them."""
    from django.utils import timezone
    from oscar.core.loading import get_model
    from oscar.test.factories import RangeFactory, create_product

    ConditionalOffer = get_model("offer", "ConditionalOffer")
    existing = ConditionalOffer.objects.filter(name__startswith="Bench perk")
    status = ConditionalOffer.OPEN if running else ConditionalOffer.SUSPENDED
    if existing.exists():
        for offer in existing.exclude(status=status):
            offer.status = status
            offer.save()
        return
    if not running:
        return
    everything = RangeFactory(name="Bench perk everything", includes_all_products=True)
    sale = RangeFactory(
        name="Bench perk sale", products=[create_product(title="Bench perk sale item")]
    )
    now = timezone.now()
    if tier is None:
        _build_plain_offers(everything, sale, starts_at=now - timedelta(days=1))
        return
    from oscar_loyalty.apps.offers.services import save_tier_perk_offer

    save_tier_perk_offer(
        name="Bench perk: free shipping",
        tiers=[tier],
        range=everything,
        benefit_type="Shipping fixed price",
        benefit_value=D("0.00"),
    )
    save_tier_perk_offer(
        name="Bench perk: early sale",
        tiers=[tier],
        range=sale,
        benefit_type="Percentage",
        benefit_value=D("20"),
        starts_at=now - timedelta(days=1),
        everyone_from=now + timedelta(days=3650),
    )


def _build_plain_offers(everything, sale, *, starts_at) -> None:
    """The stock store's two offers: Oscar's own, with the perks' condition and benefits."""
    from oscar.core.loading import get_model

    Benefit = get_model("offer", "Benefit")
    Condition = get_model("offer", "Condition")
    ConditionalOffer = get_model("offer", "ConditionalOffer")
    for name, range_, benefit_type, value, start in (
        ("Bench perk: free shipping", everything, Benefit.SHIPPING_FIXED_PRICE, D("0.00"), None),
        ("Bench perk: early sale", sale, Benefit.PERCENTAGE, D("20"), starts_at),
    ):
        ConditionalOffer.objects.create(
            name=name,
            offer_type=ConditionalOffer.SITE,
            start_datetime=start,
            condition=Condition.objects.create(type=Condition.COUNT, range=range_, value=1),
            benefit=Benefit.objects.create(type=benefit_type, range=range_, value=value),
        )
