"""The club in a real browser, in English and in Hebrew: found, joined, and the member's home.

* the club is one click from the home page (the header's link; on a phone, the menu's);
* a guest's choices on the join form survive logging in;
* the member's home shows the ledger's figures: balance, its money value, pending, the
  next expiry, the progress to the next tier;
* on a phone the card's QR code comes before the account links.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points import services as points_services
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry
from tests.factories import MemberFactory, TierFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TEXT = {
    "en": {"join": "Join the club", "welcome": "Welcome to the club!", "home": "Your club"},
    "he": {"join": "הצטרפות למועדון", "welcome": "ברוכים הבאים למועדון!", "home": "המועדון שלך"},
}
PHONE = {"width": 375, "height": 812}


def use_language(steps, language: str) -> None:
    """The cookie Django's language switch sets (the shopper journey clicks the switch)."""
    steps.page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": steps.base_url}]
    )


def log_in(steps, email: str) -> None:
    steps.page.fill("#id_login-username", email)
    steps.page.fill("#id_login-password", PASSWORD)
    steps.submit("button[name=login_submit]")


def assert_language(steps, language: str) -> None:
    assert steps.html_attrs() == (language, "rtl" if language == "he" else "ltr")


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_guest_finds_the_club_in_one_click_and_keeps_the_choices_through_login(
    steps, store, language
):
    text, page = TEXT[language], steps.page
    use_language(steps, language)
    user = UserFactory(email=f"guest.{language}@example.com")
    user.set_password(PASSWORD)
    user.save()

    # One click from the home page: the header's link.
    steps.goto("/")
    assert_language(steps, language)
    steps.submit("#loyalty-club-link")
    assert page.url.endswith(reverse("loyalty:join"))
    assert text["join"] in page.inner_text("h1")
    assert page.title().strip()

    # A guest ticks the email box and presses Join: sent to log in, the choice kept.
    page.click("label[for=id_consent_email]")
    assert page.is_checked("#id_consent_email")
    assert not page.is_checked("#id_consent_sms")
    steps.shot("join-as-guest")
    steps.submit("input[name=join]")
    assert reverse("customer:login") in page.url
    steps.shot("login")
    log_in(steps, user.email)

    # Back on the club page, the box is still ticked; nothing recorded until Join.
    page.wait_for_url(re.compile(re.escape(reverse("loyalty:join")) + "$"))
    assert page.is_visible("#loyalty-join-choices-kept")
    assert page.is_checked("#id_consent_email")
    assert not page.is_checked("#id_consent_sms")
    assert not ConsentRecord.objects.filter(user=user).exists()
    steps.shot("choices-kept")
    steps.doc_shot(f"join-choices-kept-{language}")
    steps.submit("input[name=join]")
    assert text["welcome"] in page.inner_text("body")
    assert text["home"] in page.inner_text("h1")  # joined: /club/ is now the member's home
    assert Member.objects.filter(user=user).exists()
    record = ConsentRecord.objects.get(user=user)
    assert (record.channel, record.action) == ("email", ConsentRecord.GRANT)


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_guest_s_choices_survive_registration_too(steps, store, language):
    text, page = TEXT[language], steps.page
    use_language(steps, language)
    email = f"new.{language}@example.com"
    steps.goto(reverse("loyalty:join"))
    page.click("label[for=id_consent_sms]")
    steps.submit("input[name=join]")

    # Oscar's registration form, on the same page as the login form.
    page.fill("#id_registration-email", email)
    page.fill("#id_registration-password1", PASSWORD)
    page.fill("#id_registration-password2", PASSWORD)
    for field, value in (("first_name", "Noa"), ("last_name", "Levi")):
        if page.locator(f"#id_registration-{field}").count():  # a store that asks for names
            page.fill(f"#id_registration-{field}", value)
    steps.submit("button[name=registration_submit]")

    page.wait_for_url(re.compile(re.escape(reverse("loyalty:join")) + "$"))
    assert page.is_checked("#id_consent_sms") and not page.is_checked("#id_consent_email")
    steps.submit("input[name=join]")
    # Joined: the page is now the member's home.
    assert text["home"] in page.inner_text("h1")
    member = Member.objects.get(user__email=email)
    assert member.formatted_number in page.inner_text("#loyalty-home-card")
    assert ConsentRecord.objects.get(user=member.user).channel == "sms"


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_member_home_shows_the_ledger_s_figures_and_the_card_first_on_a_phone(
    steps, store, settings, language
):
    text, page = TEXT[language], steps.page
    settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 14
    settings.OSCAR_LOYALTY_POINTS_EXPIRY_MONTHS = 12
    use_language(steps, language)
    silver = TierFactory(name="Silver", code="silver", qualifying_spend=D("0.00"))
    TierFactory(
        name="Gold",
        code="gold",
        qualifying_spend=D("500.00"),
        points_multiplier=D("1.50"),
        discount_percent=D("5"),
    )
    user = UserFactory(email=f"dana.{language}@example.com", first_name="Dana")
    user.set_password(PASSWORD)
    user.save()
    member = MemberFactory(user=user, plan=store["plan"])
    now = timezone.now()
    points_services.adjust_points(
        member, 700, reason="Old", staff_user=None, now=now - timedelta(days=300)
    )
    points_services.adjust_points(member, 500, reason="New", staff_user=None, now=now)
    from tests.apps.points.conftest import place

    place(user, products=[store["tea"]])  # 40.00 → 40 points, pending for 14 days
    member.refresh_from_db()  # the order recomputed the tier: Silver, 40.00 counted
    assert (member.tier, member.qualifying_spend) == (silver, D("40.00"))

    # The ledger: what the home must show.
    account = PointsAccount.objects.get(member=member)
    entries = PointsEntry.objects.filter(account=account).aggregate(total=Sum("points"))
    assert account.balance == entries["total"] == 1200
    assert account.pending == 40
    expires_at, expiring = points_services.next_expiry(account)
    assert expiring == 700
    with translation.override(language):
        expiry_date = date_format(timezone.localtime(expires_at), "DATE_FORMAT")

    # From the home page, one click to the member's home.
    steps.goto(reverse("customer:login"))
    log_in(steps, user.email)
    steps.goto("/")
    steps.submit("#loyalty-club-link")
    assert_language(steps, language)
    assert text["home"] in page.inner_text("h1")
    assert text["home"] in page.title()
    assert page.locator("#loyalty-join-form").count() == 0
    assert page.inner_text("#loyalty-home-balance") == str(account.balance)
    assert "12.00" in page.inner_text("#loyalty-home-value")  # 1200 × 0.01
    assert page.inner_text("#loyalty-home-pending") == str(account.pending)
    expiry = page.inner_text("#loyalty-home-expiry")
    assert str(expiring) in expiry and expiry_date in expiry
    assert "40.00" in page.inner_text("#loyalty-home-spend")
    assert "460.00" in page.inner_text("#loyalty-home-next-tier")  # 500.00 for Gold
    assert "Gold" in page.inner_text("#loyalty-home-next-tier")
    perks = page.inner_text("#loyalty-home-next-perks")
    assert "1.5" in perks and "5%" in perks
    ways = page.inner_text("#loyalty-ways-to-earn")
    assert "1 " in ways and "14" in ways  # 1 point per unit; spendable after 14 days
    assert page.locator(".loyalty-qr svg").count() == 1
    assert member.formatted_number in page.inner_text("#loyalty-home-card")
    steps.shot("member-home")
    steps.doc_shot(f"member-home-{language}", full_page=True)

    # On a phone: the card's QR code comes before the account links.
    page.set_viewport_size(PHONE)
    for url in (reverse("loyalty:join"), reverse("loyalty:card")):
        steps.goto(url)
        qr = page.locator(".loyalty-qr svg").bounding_box()
        links = page.locator("aside.sidebar .nav").bounding_box()
        assert qr["y"] + qr["height"] < links["y"], (url, qr, links)
        assert qr["y"] < PHONE["height"], "the QR code is on the first screen"
    steps.shot("card-mobile")
    steps.doc_shot(f"card-mobile-{language}")

    # And the club is in the phone's menu, behind the toggler.
    steps.goto("/")
    assert not page.is_visible("#loyalty-club-link")
    page.click("button.navbar-toggler[data-target='#navbarSupportedContent']")
    page.wait_for_selector("#loyalty-club-link", state="visible")
    steps.shot("mobile-menu")
    steps.submit("#loyalty-club-link")
    assert text["home"] in page.inner_text("h1")
