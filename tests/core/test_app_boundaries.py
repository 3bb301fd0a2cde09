"""The core knows no app: start-up, fragments and context fields follow what is installed."""

import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product, create_stockrecord

from oscar_loyalty.apps import requirement_problems
from oscar_loyalty.club import load_context
from oscar_loyalty.fragments import fragments_for, unknown_slots
from tests.checkout import add_to_basket

ROOT = Path(__file__).resolve().parents[2]
WishList = get_model("wishlists", "WishList")


def run_python(code: str, settings: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )


def test_a_left_out_apps_models_imported_fail_at_import_naming_the_app():
    """Without the guard they became ``oscar_loyalty.Referral`` and failed at the first query."""
    result = run_python(
        "import django\ndjango.setup()\nimport oscar_loyalty.apps.referrals.models\n",
        "tests.variants.settings_without_referrals",
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert "'oscar_loyalty.apps.referrals' is not in INSTALLED_APPS" in last


def test_an_app_without_the_app_it_needs_stops_the_start_up():
    result = run_python(
        "from tests.variants import base\n"
        "from django.conf import settings\n"
        "names = {k: getattr(base, k) for k in dir(base) if k.isupper()}\n"
        "names['INSTALLED_APPS'], names['MIDDLEWARE'] = base.without('points')\n"
        "settings.configure(**names)\n"
        "import django\n"
        "django.setup()\n",
        "",
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert "oscar_loyalty.apps.partners needs oscar_loyalty.apps.points" in last


def test_each_app_declares_the_apps_it_needs():
    configs = [c for c in apps.get_app_configs() if c.name != "oscar_loyalty.apps.segments"]
    assert requirement_problems(list(apps.get_app_configs())) == []
    assert sorted(requirement_problems(configs)) == [
        "oscar_loyalty.apps.challenges needs oscar_loyalty.apps.segments in INSTALLED_APPS.",
        "oscar_loyalty.apps.newsletter needs oscar_loyalty.apps.segments in INSTALLED_APPS.",
        "oscar_loyalty.apps.offers needs oscar_loyalty.apps.segments in INSTALLED_APPS.",
    ]


def test_slots_are_filled_by_the_installed_apps_in_their_order():
    assert fragments_for("basket") == [
        "oscar_loyalty/points/fragments/basket.html",
        "oscar_loyalty/referrals/fragments/basket.html",
        "demo/basket_wish_list_note.html",  # the sandbox's own (sandbox/demo/apps.py)
    ]
    tabs = [name.split("/")[1] for name in fragments_for("account_tabs")]
    assert tabs == [
        "membership",
        "points",
        "rewards",
        "challenges",
        "consent",
        "offers",
        "referrals",
        "privacy",
    ]
    assert unknown_slots() == []
    with pytest.raises(ValueError, match="Unknown fragment slot"):
        fragments_for("baskets")


@pytest.mark.django_db
def test_a_stores_own_context_field_and_fragment_show_on_the_basket_page(
    client, django_user_model
):
    """The sandbox's example (docs/extending.md): a field on the one query, shown by a fragment."""
    user = django_user_model.objects.create_user(
        username="noa", email="noa@example.com", password="a-long-passphrase-1"
    )
    product = create_product(title="Olive oil")
    create_stockrecord(product, price=D("40.00"), num_in_stock=10)
    assert load_context(user).wished == 0
    WishList.objects.create(owner=user).add(product)
    assert load_context(user).wished == 1

    client.force_login(user)
    add_to_basket(client, product)
    html = client.get(reverse("basket:summary")).content.decode()
    assert 'id="demo-wish-list-note"' in html and "One product waits in your wish lists." in html
