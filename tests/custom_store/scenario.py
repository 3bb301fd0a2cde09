"""Run the membership journey in a store with a custom user model and a forked app.

Run as a script in a fresh interpreter (``test_custom_store.py`` does): the
user model can only be chosen before Django starts.
"""

import os
import sys
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.custom_store.settings"

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oscar.core.loading import get_class, get_model  # noqa: E402
from oscar.test.factories import BasketFactory, create_order, create_product  # noqa: E402

call_command("migrate", verbosity=0)

from oscar_loyalty.apps.membership import services  # noqa: E402
from oscar_loyalty.apps.membership.models import Member, Plan  # noqa: E402

User = get_user_model()
assert User.__name__ == "Shopper", User
StockRecord = get_model("partner", "StockRecord")
assert apps.get_app_config("partner").name == "tests.custom_store.partner"
ProductClass = get_model("catalogue", "ProductClass")
Selector = get_class("partner.strategy", "Selector")

Plan.objects.create(name="Club", slug="club", price=D("0"))
membership = ProductClass.objects.create(
    name="Club membership", requires_shipping=False, track_stock=False
)
product = create_product(title="VIP year", product_class=membership, price=D("99.00"))
vip = Plan.objects.create(name="VIP", slug="vip", price=D("99"), period_months=12, product=product)

user = User.objects.create_user(username="dana", email="dana@example.com", phone="050")
member = services.join_club(user, consent_channels=["email"])
basket = BasketFactory(owner=user)
basket.strategy = Selector().strategy(user=user)
basket.add_product(product)
order = create_order(basket=basket, user=user)
assert Member.objects.get(user=user).plan == vip
order.set_status("Cancelled")
assert Member.objects.get(user=user).plan.slug == "club"
call_command("loyalty_membership_daily", verbosity=0, stdout=open(os.devnull, "w"))
call_command("check", fail_level="WARNING", verbosity=0)
print("custom store OK")
