"""A realistic, deterministic data set for demos and performance work (sandbox only).

``generate(members=N, orders_per_member=3, seed=S, years=3)`` writes N members
with accounts, profiles (names and addresses from Faker, Hebrew and English),
consents, first touches, referrals, Oscar orders (with lines and channels), a
points ledger that satisfies every invariant ``loyalty_verify_points`` checks
(entries, lots, lot uses, pending earnings), tier history and, when the
newsletter app is installed, campaign deliveries with opens, clicks, bounces
and unsubscribes, over the last ``years`` years.

Nothing of the store's rules is written again here: prices and taxes come
from the store's pricing strategy (Oscar's ``Selector``), the points each order
earns from the store's earning policy (``points.policies.get_policy()``, the
one checkout uses), expiry dates from the ledger's ``expiry_for``.

Members are simulated one at a time in Python (a handful of events each) and
written in bulk per batch, one transaction per batch: memory stays constant
whatever N is. The same seed on an empty database gives the same data.

This lives in the sandbox, not in the installed package (issue #19): it is a
development tool, and its dependency (Faker) is in the sandbox and test extras.
"""

from __future__ import annotations

import random
import time as clock
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from faker import Faker
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.wording import get_wording
from oscar_loyalty.apps.membership.models import Member, Plan, Tier
from oscar_loyalty.apps.points.models import PointsAccount, PointsPromotion
from oscar_loyalty.apps.points.policies import get_policy
from oscar_loyalty.bulk import insert, new

from ..catalogue import CATALOGUE, ISRAEL
from .simulation import Simulation
from .writers import BatchWriter

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Country = get_model("address", "Country")

YEARS = 3


@dataclass(frozen=True)
class Priced:
    """A stock record and its unit price excluding and including tax, as the strategy gives."""

    stockrecord: object
    excl_tax: Decimal
    incl_tax: Decimal


@dataclass
class Stats:
    members: int = 0
    orders: int = 0
    lines: int = 0
    entries: int = 0
    referrals: int = 0
    messages: int = 0
    seconds: float = 0.0


def generate(
    *,
    members: int,
    orders_per_member: float = 3.0,
    seed: int = 1,
    batch: int = 5000,
    years: float = YEARS,
    now: datetime | None = None,
    progress=None,
) -> Stats:
    """Write ``members`` members and what they did over ``years`` years; returns the counts."""
    return Generator(
        members=members,
        orders_per_member=orders_per_member,
        seed=seed,
        batch=batch,
        years=years,
        now=now,
        progress=progress,
    ).run()


class Generator(BatchWriter):
    def __init__(self, *, members, orders_per_member, seed, batch, now, progress, years=YEARS):
        self.total = members
        self.orders_per_member = orders_per_member
        self.seed = seed
        self.batch = max(1, batch)
        self.now = (now or timezone.now()).replace(microsecond=0)
        self.start = self.now - timedelta(days=round(365 * years))
        self.progress = progress or (lambda message: None)
        self.stats = Stats()
        # (code, member, joined) of members already written: the referrers of later members.
        self.codes: deque = deque(maxlen=20000)
        self.first_touch = _model("loyalty_journey", "FirstTouch")
        self.channel_model = _model("loyalty_journey", "OrderChannel")
        self.newsletter = apps.is_installed("oscar_loyalty.apps.newsletter")

    # Set-up ---------------------------------------------------------------

    def run(self) -> Stats:
        started = clock.monotonic()
        self.setup()
        done = 0
        while done < self.total:
            size = min(self.batch, self.total - done)
            with transaction.atomic():
                self.write_batch(done, size)
            done += size
            self.stats.members = done
            rate = done / max(clock.monotonic() - started, 0.001)
            self.progress(
                f"{done}/{self.total} members, {self.stats.orders} orders, "
                f"{self.stats.entries} points entries ({rate:.0f} members/s)"
            )
        self.stats.seconds = clock.monotonic() - started
        return self.stats

    def setup(self) -> None:
        self.plan = Plan.objects.filter(price=0, is_active=True).first()
        if self.plan is None:
            self.plan = Plan.objects.create(name="Club", slug="club-generated")
        tiers = list(Tier.objects.filter(is_active=True).order_by("qualifying_spend", "pk"))
        if not tiers:
            tiers = [
                Tier.objects.create(name=name, code=code, qualifying_spend=Decimal(spend))
                for name, code, spend in (
                    ("Silver", "silver", "0"),
                    ("Gold", "gold", "1500"),
                    ("Platinum", "platinum", "5000"),
                )
            ]
        self.tiers = tiers
        self.products = self.catalogue()
        self.categories = list(Category.objects.values_list("pk", flat=True)[:50])
        offset = get_user_model().objects.count()
        self.offset = offset
        self.order_offset = Order.objects.count()
        self.wording = get_wording("marketing", "email")
        # The store's own earning policy, one instance for the whole run (it
        # caches what it reads per quote, e.g. the ranges with multipliers).
        self.policy = get_policy()
        # Promotions read once; each order is quoted with those running when it
        # was placed (see ``Simulation.quote``).
        self.promotions = list(
            PointsPromotion.objects.filter(is_active=True).values_list(
                "starts_at", "ends_at", "multiplier"
            )
        )
        self.country, _created = Country.objects.get_or_create(iso_3166_1_a2="IL", defaults=ISRAEL)
        self.campaigns = self.make_campaigns() if self.newsletter else []

    def catalogue(self) -> list[Priced]:
        """Products on sale (up to 500), each priced once by the store's strategy."""
        stockrecords = list(
            StockRecord.objects.filter(price__isnull=False, product__is_public=True)
            .exclude(product__product_class__name=app_settings.MEMBERSHIP_PRODUCT_CLASS)
            .select_related("partner", "product__product_class", "product__parent__product_class")
            .order_by("pk")[:500]
        )
        if stockrecords:
            # A shopper's strategy (no member prices): the price list the orders pay.
            strategy = _class("partner.strategy", "Selector")().strategy()
            priced = []
            for stockrecord in stockrecords:
                price = strategy.fetch_for_product(stockrecord.product, stockrecord).price
                if price.exists and price.is_tax_known:
                    priced.append(Priced(stockrecord, price.excl_tax, price.incl_tax))
            if priced:
                return priced
        partner, _created = Partner.objects.get_or_create(name="Generated data")
        product_class, _created = ProductClass.objects.get_or_create(
            name="Generated goods", defaults={"requires_shipping": True, "track_stock": False}
        )
        create_from_breadcrumbs = _class("catalogue.categories", "create_from_breadcrumbs")
        for path, items in CATALOGUE.items():
            category = create_from_breadcrumbs(path)
            for title, price in items:
                upc = "GEN-" + title.upper().replace(" ", "-")[:20]
                product = Product.objects.create(
                    title=title, upc=upc, product_class=product_class, structure="standalone"
                )
                ProductCategory.objects.create(product=product, category=category)
                StockRecord.objects.create(
                    product=product, partner=partner, partner_sku=upc, price=Decimal(price)
                )
        return self.catalogue()

    def make_campaigns(self) -> list[tuple[int, datetime]]:
        """One sent campaign per month of the data set's history: (pk, sent at)."""
        from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter

        newsletter = Newsletter.objects.create(
            title=f"Generated newsletter {self.seed}",
            subject="Club news",
            language="he",
            live=True,
        )
        campaigns, month = [], self.start.replace(day=15, hour=10, minute=0, second=0)
        while month < self.now - timedelta(days=2):
            campaign = Campaign.objects.create(
                name=f"Club news {month:%Y-%m}",
                newsletter=newsletter,
                status=Campaign.DONE,
                created_at=month - timedelta(days=2),
                queued_at=month,
                finished_at=month + timedelta(hours=2),
            )
            campaigns.append((campaign.pk, month))
            month = (month + timedelta(days=32)).replace(day=15)
        return campaigns

    # One batch -------------------------------------------------------------

    def write_batch(self, first: int, size: int) -> None:
        rng = random.Random(f"{self.seed}:{first}")
        self.fake = self.faker(rng)
        User = get_user_model()
        sims = [self.simulate(rng, first + i) for i in range(size)]
        users = insert(User, [sim.user for sim in sims])
        for sim, user in zip(sims, users, strict=True):
            sim.member.user_id = user.pk
        self.write_addresses(sims)
        insert(Member, [sim.member for sim in sims])
        through = Member.interests.through
        insert(
            through,
            [
                new(through, member_id=sim.member.pk, category_id=category)
                for sim in sims
                for category in sim.interests
            ],
        )
        accounts = insert(
            PointsAccount,
            [
                new(
                    PointsAccount,
                    member_id=sim.member.pk,
                    balance=sim.balance,
                    pending=sim.pending,
                )
                for sim in sims
            ],
        )
        self.write_orders(sims)
        self.write_points(sims, accounts)
        self.write_tiers(sims)
        self.write_referrals(rng, sims)
        self.write_touches(sims)
        self.write_consents(sims)

    def simulate(self, rng: random.Random, index: int) -> Simulation:
        sim = Simulation(self, rng, self.offset + index)
        sim.run()
        return sim

    def faker(self, rng: random.Random) -> Faker:
        """Faker in Hebrew and English, seeded from the batch's generator (deterministic)."""
        if not hasattr(self, "_faker"):
            self._faker = Faker(["he_IL", "en_US"])
        self._faker.seed_instance(rng.getrandbits(64))
        return self._faker


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _class(module: str, name: str):
    from oscar.core.loading import get_class

    return get_class(module, name)
