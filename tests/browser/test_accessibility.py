"""Accessibility of the shopper's pages: axe-core in chromium, Hebrew and English, and keys.

axe-core runs inside each page through ``axe-playwright-python`` (which bundles
a pinned axe-core build); a page passes when axe reports no violation of
"serious" or "critical" impact (docs/accessibility.md says why that line and
what was fixed). The keyboard tests use nothing but key presses: Tab to the
field, type, Enter.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from oscar_loyalty.apps.consent.models import ConsentState
from oscar_loyalty.apps.membership import services as membership
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points.models import PointsAccount

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BLOCKING = {"serious", "critical"}
LANGUAGES = ["en", "he"]


def blocking_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one readable line per node."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            summary = node.get("failureSummary", "").splitlines()[-1:]
            found.append(
                f"{violation['impact']} {violation['id']} at {node['target']}: "
                f"{' '.join(node['html'].split())[:160]} -- {' '.join(summary).strip()}"
            )
    return found


def use_language(steps, language: str) -> None:
    steps.page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": steps.base_url}]
    )


def log_in(steps, user) -> None:
    """Log ``user`` in by a session cookie (the login form is not under test here)."""
    client = Client()
    client.force_login(user)
    steps.page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": steps.base_url,
            }
        ]
    )


def new_shopper(email: str):
    from oscar.test.factories import UserFactory

    user = UserFactory(email=email, first_name="Noa", last_name="Levi")
    user.set_password("a-long-passphrase-1")
    user.save()
    return user


def check(steps, path: str | None, report: dict) -> None:
    """Run axe on ``path`` (or on the page the browser is on); keep what it found."""
    if path is not None:
        steps.goto(path)
    found = blocking_violations(steps.page)
    if found:
        key = path or steps.page.url
        report[key] = found
        # The page as axe saw it, beside the test's screenshots.
        name = "".join(ch if ch.isalnum() else "-" for ch in key)[-60:]
        (steps.folder / f"axe-{name}.html").write_text(steps.page.content(), encoding="utf-8")


def add_to_basket(steps, product) -> None:
    steps.goto(product.get_absolute_url())
    steps.submit("#add_to_basket_form button[type=submit]")


def assert_clean(report: dict, language: str) -> None:
    lines = [f"{path}\n  " + "\n  ".join(found) for path, found in report.items()]
    assert not report, f"axe-core, {language}:\n" + "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_guests_pages_have_no_serious_accessibility_violations(steps, store, language):
    use_language(steps, language)
    report: dict = {}
    for path in ("/", store["oil"].get_absolute_url(), reverse("loyalty:join")):
        check(steps, path, report)
    add_to_basket(steps, store["oil"])
    check(steps, reverse("basket:summary"), report)
    assert_clean(report, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_members_club_and_checkout_pages_have_no_serious_accessibility_violations(
    steps, store, language
):
    user = new_shopper(f"ada.{language}@example.com")
    membership.join_club(user, plan=store["plan"], language=language)
    use_language(steps, language)
    log_in(steps, user)
    report: dict = {}
    for name in (
        "loyalty:join",
        "loyalty:membership",
        "loyalty:card",
        "loyalty:profile",
        "loyalty:points",
        "loyalty:offers",
        "loyalty:preferences",
        "loyalty:referrals",
        "loyalty:privacy",
    ):
        check(steps, reverse(name), report)
    check(steps, store["oil"].get_absolute_url(), report)
    add_to_basket(steps, store["oil"])
    check(steps, reverse("basket:summary"), report)
    check(steps, reverse("checkout:shipping-address"), report)
    page = steps.page
    page.fill("#id_first_name", "Noa")
    page.fill("#id_last_name", "Levi")
    page.fill("#id_line1", "1 Rothschild Boulevard")
    page.fill("#id_line4", "Tel Aviv")
    page.fill("#id_postcode", "6100000")
    if page.locator("select#id_country").count():
        page.select_option("#id_country", "IL")
    steps.submit("#new_shipping_address button[type=submit]")
    page.wait_for_url(re.compile(r"/checkout/payment-details/"))
    check(steps, None, report)
    steps.submit("#view_preview")
    page.wait_for_url(re.compile(r"/checkout/preview/"))
    check(steps, None, report)
    steps.submit("#place-order")
    page.wait_for_url(re.compile(r"/checkout/thank-you/"))
    check(steps, None, report)
    assert_clean(report, language)


def press_tab_until(page, predicate, *, limit: int = 80) -> None:
    """Press Tab until the JavaScript ``predicate`` holds for the focused element (or fail)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate):
            return
    raise AssertionError(f"Tab never reached the element ({predicate})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_member_applies_points_in_the_basket_with_the_keyboard_alone(steps, store, language):
    user = new_shopper(f"kim.{language}@example.com")
    member = membership.join_club(user, plan=store["plan"], language=language)
    assert PointsAccount.objects.get(member=member).balance == 1000
    use_language(steps, language)
    log_in(steps, user)
    add_to_basket(steps, store["oil"])
    steps.goto(reverse("basket:summary"))
    page = steps.page
    press_tab_until(page, "() => document.activeElement.id === 'id_points'")
    page.keyboard.type("300")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    box = page.locator("#loyalty-points").inner_text()
    assert re.search(r"300", box), box
    steps.shot("points-applied-by-keyboard")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_shopper_joins_the_club_with_the_keyboard_alone(steps, store, language):
    user = new_shopper(f"lee.{language}@example.com")
    use_language(steps, language)
    log_in(steps, user)
    steps.goto(reverse("loyalty:join"))
    page = steps.page
    # The email consent box: reached by Tab, ticked by Space.
    press_tab_until(page, "() => document.activeElement.id === 'id_consent_email'")
    page.keyboard.press("Space")
    assert page.is_checked("#id_consent_email")
    press_tab_until(page, "() => document.activeElement.name === 'join'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    member = Member.objects.get(user=user)
    assert member.language == language
    assert ConsentState.objects.filter(user=user, channel="email").exists()
    steps.shot("joined-by-keyboard")
