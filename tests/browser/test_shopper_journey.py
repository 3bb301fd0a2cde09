"""The shopper's whole journey in a real browser, in English and in Hebrew (right to left)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from oscar_loyalty.apps.consent.models import ConsentState
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points.models import PointsAccount

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What the shopper must read, per language: the page text is the proof that
# the pages speak the language, not just that the attribute is set.
TEXT = {
    "en": {
        "join": "Join the club",
        "welcome": "Welcome to the club!",
        "member_price": "Club member price",
        "points_box": "Club points",
        "applied": "500 points applied",
        "earned": "Points this order earns",
        "card": "Member card",
        "invite": "Invite a friend",
        "unsubscribed": "You are unsubscribed",
        "confirm_subject": "Please confirm",
    },
    "he": {
        "join": "הצטרפות למועדון",
        "welcome": "ברוכים הבאים למועדון!",
        "member_price": "מחיר לחברי המועדון",
        "points_box": "נקודות מועדון",
        "applied": "מומשו 500 נקודות",
        "earned": "נקודות שההזמנה הזו מזכה בהן",
        "card": "כרטיס חבר מועדון",
        "invite": "הזמינו חבר",
        "unsubscribed": "הוסרת מרשימת התפוצה",
        "confirm_subject": "נא לאשר",
    },
}


def link_in(message, pattern: str) -> str:
    """The first link matching ``pattern`` in the text body, merge fields filled in (as an ESP)."""
    body = message.body
    for to in message.to:
        for field, value in (getattr(message, "merge_data", None) or {}).get(to, {}).items():
            body = body.replace("{{%s}}" % field, str(value))
    urls = re.findall(r"https?://[^\s\"'<>]+", body)
    matching = [url for url in urls if re.search(pattern, url)]
    assert matching, f"no link matching {pattern!r} in {message.subject!r}:\n{body}"
    return matching[0]


def assert_language(steps, language: str) -> None:
    lang, direction = steps.html_attrs()
    assert lang == language
    assert direction == ("rtl" if language == "he" else "ltr")
    if language == "he":
        # Hebrew text is on the page, not only the attribute.
        assert re.search(r"[\u0590-\u05FF]{3,}", steps.page.inner_text("body"))


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_shopper_joins_shops_with_points_and_unsubscribes(steps, store, language):
    text = TEXT[language]
    page = steps.page
    email = f"noa.{language}@example.com"

    # The store in English; the header's language switch turns it to Hebrew.
    steps.goto("/")
    assert_language(steps, "en")
    if language == "he":
        page.select_option("#language_selector select[name=language]", "he")
        steps.submit("#language_selector button[type=submit]")
        assert_language(steps, "he")
    steps.shot("home")

    # Register with Oscar's form (without joining there: the club page does that).
    steps.goto(reverse("customer:register"))
    assert_language(steps, language)
    page.fill("#id_email", email)
    page.fill("#id_first_name", "Dana")  # the name the club's mails greet with
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    steps.shot("register")
    steps.submit("button[name=registration_submit]")
    assert not Member.objects.filter(user__email=email).exists()

    # Join the club, ticking only the email consent box.
    steps.goto(reverse("loyalty:join"))
    assert_language(steps, language)
    assert text["join"] in page.inner_text("h1")
    page.click("label[for=id_consent_email]")  # Bootstrap's custom checkbox: its label
    assert page.is_checked("#id_consent_email")
    steps.shot("join")
    steps.submit("input[name=join]")
    assert text["welcome"] in page.inner_text("body")
    member = Member.objects.get(user__email=email)
    assert member.language == language
    steps.shot("membership")

    # Double opt-in: the confirmation email, in the member's language, right to left in Hebrew.
    [confirmation] = [m for m in mail.outbox if "/club/preferences/confirm/" in m.body]
    assert confirmation.to == [email]
    assert text["confirm_subject"] in confirmation.subject
    html = confirmation.alternatives[0][0]
    assert f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "he")
    steps.goto(link_in(confirmation, r"/club/preferences/confirm/"))
    assert_language(steps, language)
    steps.submit("#content_inner form[method=post] button[type=submit]")
    steps.shot("consent-confirmed")
    state = ConsentState.objects.get(user=member.user, purpose="marketing", channel="email")
    assert state.status == ConsentState.GRANTED

    # Browse: the member sees the member price, in shekels.
    steps.goto(store["oil"].get_absolute_url())
    assert_language(steps, language)
    price = page.inner_text(".product_main .price_color")
    assert "₪" in price and "90" in price, price
    assert text["member_price"] in page.inner_text(".product_main")
    steps.shot("product")
    steps.submit("#add_to_basket_form button[type=submit]")

    # Basket: the welcome points, then spend 500 of them (₪5.00).
    steps.goto(reverse("basket:summary"))
    box = page.locator("#loyalty-points")
    assert text["points_box"] in box.inner_text()
    assert "1,000" in box.inner_text() or "1000" in box.inner_text()
    steps.shot("basket")
    page.fill("#id_points", "500")
    steps.submit("#loyalty_points_form button[type=submit]")
    assert text["applied"] in page.locator("#loyalty-points").inner_text()
    steps.shot("points-applied")

    # Oscar's checkout: address, (only) shipping method, (no) payment, preview, place.
    steps.goto(reverse("checkout:index"))
    page.fill("#id_first_name", "Noa")
    page.fill("#id_last_name", "Levi")
    page.fill("#id_line1", "1 Rothschild Boulevard")
    page.fill("#id_line4", "Tel Aviv")
    page.fill("#id_postcode", "6100000")
    if page.locator("select#id_country").count():  # Oscar hides it for a single country
        page.select_option("#id_country", "IL")
    steps.shot("shipping-address")
    steps.submit("#new_shipping_address button[type=submit]")
    # The sandbox has no payment gateway: Oscar's payment page only says "Continue".
    page.wait_for_url(re.compile(r"/checkout/payment-details/"))
    steps.submit("#view_preview")
    page.wait_for_url(re.compile(r"/checkout/preview/"))
    assert_language(steps, language)
    steps.shot("preview")
    steps.submit("#place-order")
    page.wait_for_url(re.compile(r"/checkout/thank-you/"))
    assert_language(steps, language)
    order_points = page.inner_text("#loyalty-order-points")
    assert text["earned"] in order_points
    assert "500" in order_points  # spent
    assert "85" in order_points  # what it earns (the receipt the place-order request left)
    assert "₪" in page.inner_text("body")
    steps.shot("thank-you")
    account = PointsAccount.objects.get(member=member)
    assert account.balance == 1000 - 500 + 85  # 90 − 5 of points = 85 earned

    # Account pages: balance and history, card with its QR code, referral link, preferences.
    steps.goto(reverse("loyalty:points"))
    assert_language(steps, language)
    assert str(account.balance) in page.inner_text("#loyalty-points-summary")
    history = page.inner_text("#loyalty-points-history")
    assert "500" in history and "85" in history and "1000" in history
    steps.shot("points")
    steps.goto(reverse("loyalty:card"))
    assert page.locator(".loyalty-qr svg").count() == 1
    assert member.formatted_number in page.inner_text(".loyalty-number")
    assert text["card"] in page.inner_text("body")
    steps.shot("card")
    steps.goto(reverse("loyalty:referrals"))
    assert text["invite"] in page.inner_text("body")
    share_link = page.input_value("#loyalty-share-link")
    assert share_link.startswith("http") and "/club/r/" in share_link
    steps.shot("referrals")
    steps.goto(reverse("loyalty:profile"))
    assert page.locator("#id_language").input_value() == language
    steps.shot("profile")
    steps.goto(reverse("loyalty:preferences"))
    assert_language(steps, language)
    steps.shot("preferences")

    # An advertising email (a newsletter) carries an unsubscribe link that works.
    newsletter_email = send_newsletter_to(member)
    assert newsletter_email.subject.startswith("פרסומת")
    steps.goto(link_in(newsletter_email, r"/club/preferences/unsubscribe/"))
    assert_language(steps, language)
    steps.shot("unsubscribe")
    steps.submit("#content_inner form[method=post] button[type=submit]")
    assert text["unsubscribed"] in page.inner_text("body")
    steps.shot("unsubscribed")
    state.refresh_from_db()
    assert state.status == ConsentState.WITHDRAWN


def send_newsletter_to(member):
    """The store sends a newsletter to every consenting member; return the member's copy."""
    from oscar_loyalty.apps.newsletter import services
    from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter

    newsletter = Newsletter.objects.create(
        title="Spring", language="en", subject="Spring sale", live=True
    )
    campaign = Campaign.objects.create(name="Spring", newsletter=newsletter)
    before = len(mail.outbox)
    assert services.send_campaign(campaign) == 1
    [message] = mail.outbox[before:]
    return message
