"""The smoke journey: a store's every shopper-facing and staff page, with whatever apps it has.

Run under each ``settings_without_<app>`` variant by ``make variants`` (and
once with every app in the whole suite): a guest browses and fills a basket,
registers and joins the club, checks out through Oscar's real checkout views,
reads the account pages; staff open the dashboard and every club page in its
menu. Every page must answer, whichever optional apps are missing.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_product, create_stockrecord

from tests.checkout import add_to_basket, place_order

pytestmark = [pytest.mark.smoke_journey, pytest.mark.django_db]

Plan = get_model("loyalty_membership", "Plan")
Member = get_model("loyalty_membership", "Member")


def ok(client: Client, url: str, *, follow: bool = False) -> str:
    response = client.get(url, follow=follow)
    if response.streaming:  # the CSV exports in the dashboard's menu
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    assert response.status_code == 200, (url, response.status_code, body[:3000])
    return body.decode()


@pytest.fixture
def product():
    product = create_product(title="Olive oil", upc="olive-1")
    create_stockrecord(product, price=Decimal("40.00"), num_in_stock=100)
    return product


@pytest.fixture
def free_plan():
    return Plan.objects.create(name="Club", slug="club", price=Decimal("0.00"))


def test_a_guest_browses_fills_a_basket_and_sees_the_club(client, product, free_plan):
    ok(client, "/", follow=True)  # the home page redirects to the catalogue
    assert "Olive oil" in ok(client, product.get_absolute_url())
    add_to_basket(client, product)
    assert "Olive oil" in ok(client, reverse("basket:summary"))
    assert "Club" in ok(client, reverse("loyalty:join"))
    response = client.get(reverse("customer:summary"))
    assert response.status_code == 302 and reverse("customer:login") in response["Location"]


def test_a_member_joins_checks_out_and_reads_every_account_page(client, product, free_plan):
    response = client.post(
        reverse("customer:register"),
        {
            "email": "noa@example.com",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
            "join_club": "on",
            "consent_email": "on",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    member = Member.objects.get(user__email="noa@example.com")
    assert member.plan == free_plan

    ok(client, "/", follow=True)  # the home page redirects to the catalogue
    ok(client, product.get_absolute_url())
    add_to_basket(client, product)
    ok(client, reverse("basket:summary"))
    order = place_order(client)
    ok(client, reverse("checkout:thank-you"))

    account = ok(client, reverse("customer:profile-view"))
    ok(client, reverse("customer:order-list"))
    ok(client, reverse("customer:order", kwargs={"order_number": order.number}))
    ok(client, reverse("loyalty:join"))
    # Every club tab the account page offers, and nothing else: the tabs come
    # from the installed apps.
    tabs = [name for name in TAB_URL_NAMES if f'href="{reverse_or_none(name)}"' in account]
    assert "loyalty:membership" in tabs and "loyalty:card" in tabs
    for name in tabs:
        ok(client, reverse(name))
    for name in TAB_URL_NAMES:
        if reverse_or_none(name) is None:
            assert name not in tabs


def test_staff_open_the_dashboard_and_every_club_page_in_its_menu(client, product, free_plan):
    member_user = UserFactory(email="dana@example.com")
    member = Member.objects.create(user=member_user, plan=free_plan, number="1234567897")
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    ok(client, reverse("dashboard:index"))
    ok(client, reverse("dashboard:offer-list"))
    ok(client, reverse("dashboard:order-list"))
    ok(client, reverse("dashboard:user-detail", kwargs={"pk": member_user.pk}))
    ok(client, reverse("loyalty_dashboard:loyalty-member-detail", kwargs={"pk": member.pk}))
    menu = [
        child["url_name"]
        for node in settings.OSCAR_DASHBOARD_NAVIGATION
        for child in node.get("children", [])
        if child.get("url_name", "").startswith("loyalty_dashboard:")
    ]
    assert "loyalty_dashboard:loyalty-member-list" in menu
    for url_name in menu:
        ok(client, reverse(url_name))


TAB_URL_NAMES = [
    "loyalty:membership",
    "loyalty:card",
    "loyalty:profile",
    "loyalty:points",
    "loyalty:preferences",
    "loyalty:offers",
    "loyalty:referrals",
    "loyalty:privacy",
]


def reverse_or_none(name: str) -> str | None:
    from django.urls import NoReverseMatch

    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def test_the_store_passes_its_checks_and_its_migration_graph_holds():
    """``check`` and ``makemigrations --check``: no app's migration needs a left-out one."""
    call_command("check", fail_level="WARNING")
    # The journey runs with --nomigrations; the graph is read from the files all the same.
    with override_settings(MIGRATION_MODULES={}):
        call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def test_the_variant_really_leaves_its_apps_out():
    """Guards the runner: a variant whose settings did not apply would prove nothing."""
    module = os.environ["DJANGO_SETTINGS_MODULE"]
    variant = module.rpartition("settings_without_")[2]
    if variant != module:
        assert not apps.is_installed(f"oscar_loyalty.apps.{variant}")
