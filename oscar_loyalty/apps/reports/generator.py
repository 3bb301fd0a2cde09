"""A realistic, deterministic data set for demos and performance work.

``generate(members=N, orders_per_member=3, seed=S)`` writes N members with
accounts, profiles, consents, first touches, referrals, Oscar orders (with
lines and channels), a points ledger that satisfies every invariant
``loyalty_verify_points`` checks (entries, lots, lot uses, pending earnings),
tier history and, when the newsletter app is installed, campaign deliveries
with opens, clicks, bounces and unsubscribes.

Members are simulated one at a time in Python (a handful of events each) and
written with ``bulk_create`` per batch, one transaction per batch: memory stays
constant whatever N is. The same seed on an empty database gives the same data.
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
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.wording import get_wording
from oscar_loyalty.apps.membership.models import Member, Plan, Tier
from oscar_loyalty.apps.points.models import (
    PointsAccount,
)
from oscar_loyalty.bulk import insert, new

from . import sample_data as data
from .simulation import Simulation
from .writers import BatchWriter

Order = get_model("order", "Order")
Line = get_model("order", "Line")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

YEARS = 3


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
    now: datetime | None = None,
    progress=None,
) -> Stats:
    """Write ``members`` members and everything they did; returns the counts."""
    return Generator(
        members=members,
        orders_per_member=orders_per_member,
        seed=seed,
        batch=batch,
        now=now,
        progress=progress,
    ).run()


class Generator(BatchWriter):
    def __init__(self, *, members, orders_per_member, seed, batch, now, progress):
        self.total = members
        self.orders_per_member = orders_per_member
        self.seed = seed
        self.batch = max(1, batch)
        self.now = (now or timezone.now()).replace(microsecond=0)
        self.start = self.now - timedelta(days=365 * YEARS)
        self.progress = progress or (lambda message: None)
        self.stats = Stats()
        # Referral codes of members already written: the referrers of later members.
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
        # Read once: the simulation uses it for every order and entry.
        self.points_per_unit = app_settings.POINTS_PER_UNIT
        self.campaigns = self.make_campaigns() if self.newsletter else []

    def catalogue(self) -> list[tuple]:
        """(product, stockrecord, partner, title, upc, sku, price) of products on sale."""
        rows = list(
            StockRecord.objects.filter(price__isnull=False, product__is_public=True)
            .exclude(product__product_class__name=app_settings.MEMBERSHIP_PRODUCT_CLASS)
            .values_list(
                "product_id",
                "pk",
                "partner_id",
                "partner__name",
                "product__title",
                "product__upc",
                "partner_sku",
                "price",
            )
            .order_by("pk")[:500]
        )
        if rows:
            return rows
        partner, _created = Partner.objects.get_or_create(name="Generated data")
        product_class, _created = ProductClass.objects.get_or_create(
            name="Generated goods", defaults={"requires_shipping": True, "track_stock": False}
        )
        create_from_breadcrumbs = _class("catalogue.categories", "create_from_breadcrumbs")
        for path, items in data.CATALOGUE.items():
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
        User = get_user_model()
        sims = [self.simulate(rng, first + i) for i in range(size)]
        users = insert(User, [sim.user for sim in sims])
        for sim, user in zip(sims, users, strict=True):
            sim.member.user_id = user.pk
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
        for sim in sims:
            if sim.has_code:
                self.codes.append((sim.code_pk, sim.member.pk))

    def simulate(self, rng: random.Random, index: int) -> Simulation:
        sim = Simulation(self, rng, self.offset + index)
        sim.run()
        return sim


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _class(module: str, name: str):
    from oscar.core.loading import get_class

    return get_class(module, name)
