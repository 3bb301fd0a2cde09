"""Load the sandbox's demo data once: catalogue, plans, tiers, staff, members with history.

Idempotent: a second run sees the marker product and does nothing (``--force``
is not offered on purpose: wipe ``sandbox/db.sqlite3`` to start again).

The store must look run the moment the server starts (issue #20): the
hand-made members' order tasks run here, synchronously, after each order is
back-dated (the worker started beside the server would run them only later,
after the points were matured: all pending, with a date in the past); then
``--members`` generated members (2,000 by default) add a year of history, and
``sandbox.demo.living`` adds what a year of running leaves (every referral
state, a scheduled campaign, a finished draw). Points are matured and the
report and segment figures refreshed last.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal as D

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.services import grant_consents
from oscar_loyalty.apps.membership import services
from oscar_loyalty.apps.membership.models import Member, Plan, Tier
from oscar_loyalty.orders import process_placed_order
from sandbox.demo import club_examples, living
from sandbox.demo.catalogue import CATALOGUE, ISRAEL

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
Country = get_model("address", "Country")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Selector = get_class("partner.strategy", "Selector")
FreeShipping = get_class("shipping.methods", "Free")
create_from_breadcrumbs = get_class("catalogue.categories", "create_from_breadcrumbs")

MARKER_UPC = "DEMO-MARKER"
STAFF_EMAIL = "admin@example.com"
STAFF_PASSWORD = "sandbox-admin"  # demo only; printed so the reader can log in
MEMBER_PASSWORD = "sandbox-member"
GENERATED_MEMBERS = 2000

# While the hand-made orders are placed, tasks enqueued go nowhere: each order's
# task is run right here once the order is back-dated (see ``_order``).
NO_MAIL = "django.core.mail.backends.dummy.EmailBackend"
NO_QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


MEMBERS = [
    ("Dana", "Levi", "tel-aviv", "Tel Aviv", date(1988, 3, 14), ["email", "whatsapp"]),
    ("Yossi", "Cohen", "center", "Ramat Gan", date(1975, 7, 2), ["email"]),
    ("Noa", "Mizrahi", "haifa", "Haifa", date(1992, 2, 29), ["email", "sms"]),
    ("Avi", "Peretz", "jerusalem", "Jerusalem", date(1969, 11, 23), []),
    ("Maya", "Biton", "south", "Be'er Sheva", date(1999, 1, 5), ["sms"]),
    ("Omer", "Friedman", "north", "Nahariya", date(1983, 9, 17), ["email"]),
    ("Tamar", "Azulay", "tel-aviv", "Tel Aviv", date(2001, 5, 30), ["email", "sms"]),
    ("Eitan", "Shapiro", "center", "Petah Tikva", date(1979, 12, 8), []),
    ("Shira", "Katz", "tel-aviv", "Herzliya", date(1995, 6, 21), ["whatsapp"]),
    ("Lior", "Ben-David", "haifa", "Kiryat Tivon", date(1986, 10, 11), ["email"]),
    ("Hila", "Amar", "jerusalem", "Mevaseret Zion", date(1990, 4, 4), ["email"]),
    ("Ron", "Gabay", "south", "Ashdod", date(1972, 8, 19), []),
]


class Command(BaseCommand):
    help = "Load the sandbox demo data (once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--members",
            type=int,
            default=GENERATED_MEMBERS,
            help=f"Generated members with a year of history (default {GENERATED_MEMBERS}).",
        )

    def handle(self, *args, members=GENERATED_MEMBERS, **options):
        if Product.objects.filter(upc=MARKER_UPC).exists():
            self.stdout.write("Demo data already loaded; nothing to do.")
            self._print_credentials()
            return
        rng = random.Random(20261123)  # the same demo every time
        with transaction.atomic():
            Site.objects.update_or_create(
                pk=1, defaults={"domain": "127.0.0.1:8000", "name": "Oscar Loyalty Sandbox"}
            )
            country, _ = Country.objects.update_or_create(iso_3166_1_a2="IL", defaults=ISRAEL)
            partner, _ = Partner.objects.get_or_create(name="Sandbox warehouse")
            products = self._catalogue(partner)
            plans = self._plans(partner)
            self._tiers()
            club_examples.tier_perks(products)
            staff = self._staff()
            if apps.is_installed("oscar_loyalty.apps.challenges"):
                club_examples.challenges()
            if apps.is_installed("oscar_loyalty.apps.rewards"):
                club_examples.rewards(products)
        # The members' mails (points earned, draw won) would only flood the console.
        with override_settings(EMAIL_BACKEND=NO_MAIL):
            with override_settings(TASKS=NO_QUEUE):
                self._members(products, plans, country, rng)
                if apps.is_installed("oscar_loyalty.apps.segments"):
                    segment = self._tel_aviv_shoes_segment(country, rng)
                    if segment is not None and apps.is_installed("oscar_loyalty.apps.rewards"):
                        club_examples.segment_reward(segment)
            self._year_of_history(members, staff)
        if apps.is_installed("oscar_loyalty.apps.actions"):
            # After the history: the examples pay from now on, not for the demo's past.
            club_examples.action_rules()
        # Oscar's catalogue pages are served from the search index.
        call_command("rebuild_index", interactive=False, verbosity=0)
        # Last: the marker says the whole load finished.
        Product.objects.create(
            upc=MARKER_UPC,
            title="(demo data marker)",
            is_public=False,
            product_class=ProductClass.objects.get(name="Standard"),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(products)} products, {Member.objects.count()} members, "
                f"{Order.objects.count()} orders."
            )
        )
        self._print_credentials()

    def _year_of_history(self, members: int, staff) -> None:
        """Generated members, what a year leaves behind, matured points and fresh figures."""
        if members > 0:
            stats = living.generate_history(members=members, years=1)
            self.stdout.write(
                f"Generated {stats.members} members with a year of history "
                f"({stats.orders} orders) in {stats.seconds:.1f}s."
            )
        living.cover_referral_states(staff=staff)
        living.schedule_campaign(staff=staff)
        living.run_finished_draw()
        if apps.is_installed("oscar_loyalty.apps.points"):
            # The demo orders are months old: their points are past the return window.
            call_command("loyalty_mature_points", verbosity=0, stdout=self.stdout)
        if apps.is_installed("oscar_loyalty.apps.reports"):
            # Reports show the year at once, not after the first scheduled refresh.
            call_command(
                "loyalty_refresh_report_figures", "--full", verbosity=0, stdout=self.stdout
            )
        if apps.is_installed("oscar_loyalty.apps.segments"):
            from oscar_loyalty.apps.segments import services as segments

            segments.refresh_member_stats()

    def _print_credentials(self):
        self.stdout.write(
            f"Staff login: {STAFF_EMAIL} / {STAFF_PASSWORD}  (dashboard /dashboard/, "
            f"Wagtail /cms/)\nMember logins: dana.levi@example.com (and the others) / "
            f"{MEMBER_PASSWORD}"
        )
        if apps.is_installed("oscar_loyalty.apps.partners"):
            self._print_partner()

    def _print_partner(self):
        """The demo coalition partner (created here if missing) and its API credentials."""
        from oscar_loyalty.apps.partners.models import Partner
        from oscar_loyalty.apps.partners.signing import partner_secret

        partner, _ = Partner.objects.get_or_create(
            slug="demo-fuel",
            defaults={"name": "Demo fuel station", "earn_rate": D("1"), "burn_rate": D("0.01")},
        )
        self.stdout.write(
            f"Partner API (docs/partners.md): LOYALTY_PARTNER_KEY_ID={partner.key_id} "
            f"LOYALTY_PARTNER_SECRET={partner_secret(partner)}\n"
            "  python examples/partner_client.py demo <a member number from /dashboard/>"
        )

    def _catalogue(self, partner):
        standard, _ = ProductClass.objects.get_or_create(
            name="Standard", defaults={"requires_shipping": True, "track_stock": True}
        )
        products = []
        for breadcrumbs, items in CATALOGUE.items():
            category = create_from_breadcrumbs(breadcrumbs)
            for index, (title, price) in enumerate(items):
                product = Product.objects.create(
                    title=title,
                    product_class=standard,
                    structure=Product.STANDALONE,
                    upc=f"DEMO-{category.pk:03d}-{index:02d}",
                    description=f"{title}: a demo product in {breadcrumbs}.",
                )
                ProductCategory.objects.create(product=product, category=category)
                StockRecord.objects.create(
                    product=product,
                    partner=partner,
                    partner_sku=product.upc,
                    price=D(price),
                    num_in_stock=100 + index * 7,
                )
                products.append(product)
        return products

    def _plans(self, partner):
        membership_class, _ = ProductClass.objects.get_or_create(
            name=app_settings.MEMBERSHIP_PRODUCT_CLASS,
            defaults={"requires_shipping": False, "track_stock": False},
        )
        free = Plan.objects.create(
            name="Club",
            slug="club",
            price=D("0.00"),
            period_months=None,
            description="Free membership without end: points, member prices, birthday gift.",
            position=1,
        )
        vip_product = Product.objects.create(
            title="VIP club membership (1 year)",
            product_class=membership_class,
            structure=Product.STANDALONE,
            upc="DEMO-VIP-YEAR",
            description="A year of VIP membership: a transferable card and bigger benefits.",
        )
        StockRecord.objects.create(
            product=vip_product,
            partner=partner,
            partner_sku="VIP-YEAR",
            price=D("99.00"),
            num_in_stock=None,
        )
        vip = Plan.objects.create(
            name="VIP",
            slug="vip",
            price=D("99.00"),
            period_months=12,
            card_transferable=True,
            product=vip_product,
            position=2,
            description="Paid yearly membership with a transferable card.",
        )
        return {"free": free, "vip": vip}

    def _tiers(self):
        Tier.objects.create(name="Silver", code="silver", qualifying_spend=D("0.00"))
        Tier.objects.create(
            name="Gold",
            code="gold",
            qualifying_spend=D("1500.00"),
            points_multiplier=D("1.50"),
            discount_percent=D("5.00"),
        )
        Tier.objects.create(
            name="Platinum",
            code="platinum",
            qualifying_spend=D("5000.00"),
            points_multiplier=D("2.00"),
            discount_percent=D("10.00"),
        )

    def _staff(self):
        User = get_user_model()
        staff = User.objects.filter(email=STAFF_EMAIL).first()
        if staff is None:
            staff = User.objects.create_superuser(
                username="admin",
                email=STAFF_EMAIL,
                password=STAFF_PASSWORD,
                first_name="Sandbox",
                last_name="Admin",
            )
        return staff

    def _members(self, products, plans, country, rng):
        User = get_user_model()
        now = timezone.now()
        for index, (first, last, region, city, birthday, channels) in enumerate(MEMBERS):
            email = f"{first}.{last}".lower().replace("'", "") + "@example.com"
            user = User.objects.create_user(
                username=email[:30],
                email=email,
                password=MEMBER_PASSWORD,
                first_name=first,
                last_name=last,
            )
            joined = now - timedelta(days=400 - index * 25)
            member = services.join_club(
                user, plan=plans["free"], now=joined, language="he" if index % 3 == 0 else "en"
            )
            # Demo members count as imported with confirmed consent (no opt-in mails).
            grant_consents(user, channels=channels, source="import")
            services.update_profile(
                member,
                birthday=birthday,
                city=city,
                region=region,
                customer_type="business" if index % 5 == 4 else "private",
                business_name=f"{last} Ltd" if index % 5 == 4 else "",
                preferred_channels=channels or ["post"],
                interests=rng.sample(list(Category.objects.filter(depth=1)), 2),
            )
            for order_index in range(rng.randint(1, 6)):
                placed = joined + timedelta(days=rng.randint(1, 360))
                if placed > now:
                    continue
                self._order(
                    user,
                    rng.sample(products, rng.randint(1, 4)),
                    country,
                    rng,
                    placed,
                    f"DEMO{index:02d}{order_index:02d}",
                )
            if index % 4 == 1:  # every fourth member also bought the VIP year
                self._order(
                    user,
                    [plans["vip"].product],
                    country,
                    rng,
                    now - timedelta(days=rng.randint(10, 300)),
                    f"DEMOVIP{index:02d}",
                )
            services.recompute_tier(services.get_member(user), reason="daily")

    def _tel_aviv_shoes_segment(self, country, rng):
        """The example segment: Tel Aviv members who bought shoes in 90 days, email consent.

        Dana and Tamar (Tel Aviv, email consent) buy shoes a few weeks ago so
        that the segment is not empty; then the daily member figures are filled.
        """
        from oscar_loyalty.apps.segments import services as segments

        shoes = Category.objects.filter(name="Shoes").first()
        if shoes is None:
            return None
        shoe = Product.objects.filter(categories__path__startswith=shoes.path).first()
        now = timezone.now()
        for days, email in ((20, "dana.levi@example.com"), (45, "tamar.azulay@example.com")):
            user = get_user_model().objects.filter(email=email).first()
            if user is not None and shoe is not None:
                self._order(
                    user, [shoe], country, rng, now - timedelta(days=days), f"DEMOSHOE{days}"
                )
        segment = segments.save_segment(
            name="Tel Aviv shoe buyers",
            description="Members in Tel Aviv who bought shoes in the last 90 days "
            "and consented to email.",
            rules={
                "op": "and",
                "rules": [
                    {"type": "city", "params": {"cities": ["Tel Aviv"]}},
                    {"type": "bought", "params": {"categories": [shoes.pk], "days": 90}},
                    {"type": "consent", "params": {"channel": "email", "status": "granted"}},
                ],
            },
        )
        segments.refresh_member_stats()
        return segment

    def _order(self, user, products, country, rng, placed, number):
        basket = Basket.objects.create(owner=user)
        basket.strategy = Selector().strategy(user=user)
        for product in products:
            basket.add_product(product, quantity=rng.randint(1, 2))
        shipping_method = FreeShipping()
        shipping_charge = shipping_method.calculate(basket)
        total = OrderTotalCalculator().calculate(basket, shipping_charge)
        address = ShippingAddress.objects.create(
            first_name=user.first_name,
            last_name=user.last_name,
            line1="1 Demo Street",
            line4="Tel Aviv",
            postcode="6100000",
            country=country,
        )
        order = OrderCreator().place_order(
            basket=basket,
            total=total,
            shipping_method=shipping_method,
            shipping_charge=shipping_charge,
            user=user,
            shipping_address=address,
            order_number=number,
            status="Complete",
        )
        basket.submit()
        # Back-date after placing, so that the history spreads over the year
        # (Oscar stamps date_placed with now()); memberships follow their order.
        Order.objects.filter(pk=order.pk).update(date_placed=placed)
        # The club's work on the order, as the worker would do it, but now and
        # on the back-dated order: the points' return window runs from ``placed``
        # (so ``loyalty_mature_points`` can mature them) and a membership bought
        # exists before its dates are moved below.
        process_placed_order.call(order.pk)
        member = Member.objects.filter(user=user).first()
        if member is not None:
            member.terms.filter(order=order).update(created_at=placed, starts_at=placed)
            services._derive_state(member, now=timezone.now())
        return order
