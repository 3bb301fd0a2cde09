"""Staff build "Tel Aviv, bought shoes in 90 days, consented to email" in a real browser."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from oscar.test.factories import CategoryFactory, create_product

from oscar_loyalty.apps.segments.models import Segment
from tests.apps.segments.conftest import buy, make_member

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def log_in(steps, email: str) -> None:
    steps.goto(reverse("customer:login"))
    steps.page.fill("#id_login-username", email)
    steps.page.fill("#id_login-password", PASSWORD)
    steps.submit("button[name=login_submit]")


def wait_for_count(page, text: str) -> None:
    page.wait_for_function(
        "text => document.getElementById('loyalty-segment-count').textContent.includes(text)",
        arg=text,
    )


def test_staff_build_a_segment_with_the_rule_builder_and_see_the_live_count(steps, store):
    page = steps.page
    shoes = CategoryFactory(name="Shoes")
    sneaker = create_product(title="Sneaker", upc="SNEAK", price=D("80.00"), num_in_stock=5)
    sneaker.categories.add(shoes)
    make_member("near@example.com", city="Tel Aviv", consenting=True)
    buyer = make_member("buyer@example.com", city="Tel Aviv", consenting=True)
    buy(buyer, days_ago=10, item=sneaker)
    quiet = make_member("quiet@example.com", city="Tel Aviv")
    buy(quiet, days_ago=10, item=sneaker)
    log_in(steps, store["staff"].email)

    steps.goto(reverse("loyalty_dashboard:loyalty-segment-create"))
    page.fill("#id_name", "Tel Aviv shoe buyers")
    builder = page.locator("#loyalty-segment-builder")

    builder.get_by_role("button", name="Add a condition").click()
    page.locator(".loyalty-segment-condition select").nth(0).select_option("city")
    page.locator(".loyalty-segment-condition").nth(0).locator("input[type=text]").fill("Tel Aviv")
    wait_for_count(page, "3 members match")

    builder.get_by_role("button", name="Add a condition").last.click()
    second = page.locator(".loyalty-segment-condition").nth(1)
    second.locator("select").first.select_option("bought")
    second.locator("select[multiple]").select_option(str(shoes.pk))
    second.locator("input[type=number]").first.fill("90")
    wait_for_count(page, "2 members match")

    builder.get_by_role("button", name="Add a condition").last.click()
    third = page.locator(".loyalty-segment-condition").nth(2)
    third.locator("select").first.select_option("consent")
    third.locator("select").nth(1).select_option("email")
    third.locator("select").nth(2).select_option("granted")
    wait_for_count(page, "1 members match")
    steps.shot("builder-with-count")

    # An incomplete condition shows the server's explanation instead of a count.
    builder.get_by_role("button", name="Add a condition").last.click()
    page.locator(".loyalty-segment-condition").nth(3).locator("select").first.select_option("age")
    page.wait_for_selector("#loyalty-segment-errors li")
    assert "Give a minimum, a maximum or both." in page.inner_text("#loyalty-segment-errors")
    page.locator(".loyalty-segment-condition").nth(3).get_by_role("button", name="Remove").click()
    wait_for_count(page, "1 members match")

    steps.submit("#loyalty-segment-form button[type=submit]")
    assert re.search(r"saved: 1 members", page.inner_text("body"))
    segment = Segment.objects.get(name="Tel Aviv shoe buyers")
    assert [rule["type"] for rule in segment.rules["rules"]] == ["city", "bought", "consent"]
    steps.shot("saved")
