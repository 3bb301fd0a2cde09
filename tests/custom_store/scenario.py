"""Run the membership journey in a store with a custom user model and a forked app.

Run as a script in a fresh interpreter (``test_custom_store.py`` does): the
user model can only be chosen before Django starts.
"""

import importlib.util
import os
import shutil
import sys
import tempfile
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.custom_store.settings"

FORK_FIELD = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("partner", "{previous}")]

    operations = [
        migrations.AddField(
            model_name="stockrecord",
            name="shelf",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
    ]
"""


def build_fork_migrations() -> str:
    """The fork's migrations package: Oscar's renumbered after one of the store's own.

    Copied from the installed Oscar as ``oscar_fork_app`` would have at fork
    time; Oscar's later ``0007_partneraddress_code`` then became the fork's
    ``0008``, so no migration named ``0007_partneraddress_code`` exists.
    """
    oscar_dir = Path(importlib.util.find_spec("oscar.apps.partner.migrations").origin).parent
    oscar_files = sorted(oscar_dir.glob("0*.py"))
    *kept, last = oscar_files
    assert last.stem == "0007_partneraddress_code", last.stem
    folder = Path(tempfile.mkdtemp(prefix="custom_store_"))
    package = folder / "custom_store_partner_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for path in kept:
        shutil.copy(path, package / path.name)
    (package / "0007_stockrecord_shelf.py").write_text(FORK_FIELD.format(previous=kept[-1].stem))
    moved = last.read_text().replace(f'"{kept[-1].stem}"', '"0007_stockrecord_shelf"')
    assert "0007_stockrecord_shelf" in moved
    (package / "0008_partneraddress_code.py").write_text(moved)
    sys.path.insert(0, str(folder))
    return str(folder)


fork_folder = build_fork_migrations()

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.loader import MigrationLoader  # noqa: E402
from oscar.core.loading import get_class, get_model  # noqa: E402
from oscar.test.factories import BasketFactory, create_order, create_product  # noqa: E402

graph = MigrationLoader(connection).graph
assert ("partner", "0008_partneraddress_code") in graph.nodes
assert ("partner", "0007_partneraddress_code") not in graph.nodes
call_command("migrate", verbosity=0)
shutil.rmtree(fork_folder, ignore_errors=True)

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
assert StockRecord.objects.filter(product=product, shelf="").exists()
assert Member.objects.get(user=user).plan == vip
order.set_status("Cancelled")
assert Member.objects.get(user=user).plan.slug == "club"
call_command("loyalty_membership_daily", verbosity=0, stdout=open(os.devnull, "w"))
call_command("check", fail_level="WARNING", verbosity=0)
print("custom store OK")
