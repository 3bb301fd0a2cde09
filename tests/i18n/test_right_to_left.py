"""Hebrew reads right to left on every page and in every email; money in the store's currency."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.template import Context, Template
from django.urls import reverse
from oscar.test.factories import UserFactory, create_product

from oscar_loyalty.apps.newsletter.models import Newsletter
from oscar_loyalty.apps.newsletter.rendering import preview
from oscar_loyalty.mail import build_member_email
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

RTL_CSS = "oscar_loyalty/css/rtl.css"


def page(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["loyalty:join", "customer:login", "basket:summary", "catalogue:index"]
)
def test_a_shopper_page_is_right_to_left_in_hebrew_and_left_to_right_in_english(
    client, free_plan, url_name
):
    hebrew = page(client, reverse(url_name), "he")
    assert '<html lang="he" dir="rtl"' in hebrew
    assert RTL_CSS in hebrew
    english = page(client, reverse(url_name), "en")
    assert '<html lang="en" dir="ltr"' in english
    assert RTL_CSS not in english


def test_the_dashboard_is_right_to_left_in_hebrew(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = page(client, reverse("loyalty_dashboard:loyalty-member-list"), "he")
    assert '<html lang="he" dir="rtl"' in html


def test_the_right_to_left_stylesheet_is_served(client, settings):
    from django.contrib.staticfiles import finders

    path = finders.find(RTL_CSS)
    assert path is not None
    css = open(path, encoding="utf-8").read()
    assert '[dir="rtl"] .ml-auto' in css and '[dir="rtl"] .float-right' in css


def test_prices_are_shown_in_shekels(client):
    product = create_product(title="Olive oil", price=D("42.00"), num_in_stock=5)
    html = page(client, product.get_absolute_url(), "he")
    assert "₪" in html and "42.00" in html


def test_a_member_number_keeps_its_digit_groups_in_order_inside_hebrew_text():
    rendered = Template("{% load loyalty_i18n %}מספר {{ number|ltr }}").render(
        Context({"number": "4649 8070 98"})
    )
    assert rendered == 'מספר <bdi dir="ltr">4649 8070 98</bdi>'
    assert Template("{% load loyalty_i18n %}{{ x|ltr }}").render(Context({"x": "<b>"})) == (
        '<bdi dir="ltr">&lt;b&gt;</bdi>'
    )


@pytest.mark.parametrize(
    ("language", "direction", "subject_word"),
    [("he", "rtl", "נקודות"), ("en", "ltr", "points")],
)
def test_a_member_email_is_written_in_the_members_language_and_direction(
    language, direction, subject_word
):
    member = MemberFactory(user=UserFactory(email="dana@example.com"), language=language)
    message = build_member_email(member, email_type="points_earned", context={"points": 85})
    html = message.alternatives[0][0]
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert subject_word in message.subject
    assert "85" in message.body


def test_a_member_without_a_language_gets_the_stores_language(settings):
    settings.LANGUAGE_CODE = "he"
    member = MemberFactory(user=UserFactory(email="noa@example.com"), language="")
    html = build_member_email(member, email_type="points_earned", context={"points": 5})
    assert '<html lang="he" dir="rtl">' in html.alternatives[0][0]


def test_a_hebrew_newsletter_is_rendered_right_to_left():
    user = UserFactory(email="staff@example.com", first_name="Yael")
    newsletter = Newsletter.objects.create(title="Spring", language="he", subject="מבצע אביב")
    subject, html, _text = preview(newsletter, user=user)
    assert '<html lang="he" dir="rtl">' in html
    assert "direction: rtl" in html
    assert subject.startswith("פרסומת")
