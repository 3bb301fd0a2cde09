from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import UserFactory, create_product, create_stockrecord

from oscar_loyalty.apps.journey import services
from oscar_loyalty.apps.journey.middleware import COOKIE_NAME
from oscar_loyalty.apps.journey.models import FirstTouch, OrderChannel
from oscar_loyalty.apps.membership.models import Member
from tests.checkout import add_to_basket, place_order
from tests.factories import ReferralCodeFactory

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}
CAMPAIGN = (
    "?utm_source=newsletter&utm_medium=email&utm_campaign=autumn&utm_term=boots&utm_content=hero"
)


def register(client, email="new@example.com", **extra):
    return client.post(
        reverse("customer:register"),
        {
            "email": email,
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
            "join_club": "on",
        },
        **BROWSER,
        **extra,
    )


def test_a_visitor_from_a_campaign_who_registers_and_joins_gets_their_first_touch(
    client, free_plan
):
    landing = reverse("loyalty:join") + CAMPAIGN
    response = client.get(landing, HTTP_REFERER="https://mail.example.net/inbox", **BROWSER)
    assert response.status_code == 200
    assert COOKIE_NAME in response.cookies
    # Later pages do not replace the first touch.
    client.get(reverse("loyalty:join") + "?utm_source=google&utm_medium=cpc", **BROWSER)
    assert not FirstTouch.objects.exists()  # nothing written for anonymous visits

    assert register(client).status_code == 302

    touch = FirstTouch.objects.get()
    assert touch.member == Member.objects.get(user__email="new@example.com")
    assert (touch.utm_source, touch.utm_medium, touch.utm_campaign) == (
        "newsletter",
        "email",
        "autumn",
    )
    assert (touch.utm_term, touch.utm_content) == ("boots", "hero")
    assert touch.referrer_host == "mail.example.net"
    assert touch.referrer_url == "https://mail.example.net/inbox"
    assert touch.landing_page == landing
    assert touch.channel == FirstTouch.EMAIL
    assert touch.linked_at is not None
    # The cookie is marked done: further requests neither write nor look up anything.
    client.get(reverse("loyalty:join"), **BROWSER)
    assert FirstTouch.objects.count() == 1


def test_a_signed_in_shopper_joining_on_the_join_page_is_linked_with_the_referral_code(
    client, free_plan
):
    code = ReferralCodeFactory()
    # The share link stores the code in the session and a cookie (referrals app).
    client.get(reverse("loyalty:referral-link", args=[code.code]), **BROWSER)
    shopper = UserFactory()
    client.force_login(shopper)
    response = client.post(reverse("loyalty:join"), {"plan": free_plan.pk}, **BROWSER)
    assert response.status_code == 302
    touch = FirstTouch.objects.get(member__user=shopper)
    assert touch.referral_code == code.code
    assert touch.channel == FirstTouch.REFERRAL


def test_bots_and_static_files_get_no_touch_cookie(client, free_plan):
    bot = client.get(reverse("loyalty:join"), HTTP_USER_AGENT="Googlebot/2.1")
    assert COOKIE_NAME not in bot.cookies
    assert COOKIE_NAME not in client.get(reverse("loyalty:join")).cookies  # no user agent
    assert COOKIE_NAME not in client.get("/static/x.css", **BROWSER).cookies


def test_a_forged_cookie_is_ignored_and_replaced(client, free_plan):
    client.cookies[COOKIE_NAME] = "forged"
    response = client.get(reverse("loyalty:join") + "?utm_source=facebook.com", **BROWSER)
    assert COOKIE_NAME in response.cookies
    register(client)
    assert FirstTouch.objects.get().channel == FirstTouch.SOCIAL


def test_an_anonymous_first_visit_writes_nothing_to_the_database(client, free_plan):
    client.get(reverse("loyalty:join"), **BROWSER)  # warm caches (site, flatpages)
    client.cookies.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("loyalty:join") + CAMPAIGN, **BROWSER)
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE")]
    assert writes == []


@pytest.mark.parametrize(
    "touch, channel",
    [
        ({"referral_code": "ABC", "utm_medium": "email"}, "referral"),
        ({"utm_medium": "Newsletter"}, "email"),
        ({"utm_medium": "cpc", "utm_source": "google"}, "paid"),
        ({"paid_click": True, "referrer_host": "www.google.com"}, "paid"),
        ({"utm_source": "instagram.com"}, "social"),
        ({"referrer_host": "l.facebook.com"}, "social"),
        ({"referrer_host": "www.google.co.il"}, "search"),
        ({"referrer_host": "duckduckgo.com"}, "search"),
        ({"referrer_host": "blog.example.org"}, "other"),
        ({"utm_source": "partner-site"}, "other"),
        ({}, "direct"),
    ],
)
def test_the_acquisition_channel_is_derived_from_the_touch(touch, channel):
    assert services.derive_channel(touch) == channel


def test_a_member_without_a_touch_gets_a_direct_one_and_keeps_the_first(free_plan):
    member = Member.objects.create(user=UserFactory(), number="1234567897", plan=free_plan)
    first = services.link_first_touch(member, None)
    assert first.channel == FirstTouch.DIRECT
    again = services.link_first_touch(member, {"utm_medium": "email", "v": "x"})
    assert again == first and FirstTouch.objects.count() == 1


def test_a_row_written_at_first_visit_is_linked_not_duplicated(free_plan):
    touch = {"v": "visitor-1", "utm_medium": "social", "at": "2026-01-01T10:00:00+00:00"}
    row = services.record_first_touch(touch)
    assert row.member is None and row.channel == FirstTouch.SOCIAL
    member = Member.objects.create(user=UserFactory(), number="1234567897", plan=free_plan)
    linked = services.link_first_touch(member, touch)
    assert linked.pk == row.pk and linked.member == member
    assert FirstTouch.objects.count() == 1
    assert linked.created_at.year == 2026 and linked.created_at.month == 1


def test_the_web_checkout_records_the_web_channel(client, free_plan):
    product = create_product(title="Boots")
    create_stockrecord(product, price=D("50.00"), num_in_stock=5)
    client.force_login(UserFactory())
    add_to_basket(client, product)
    order = place_order(client)
    assert order.loyalty_channel.channel == OrderChannel.WEB


def test_an_explicit_channel_wins_over_the_order_tasks_web_default_whatever_runs_first(
    free_plan,
):
    from oscar.test.factories import create_order

    from oscar_loyalty.orders import process_placed_order

    # The till records its channel before any task could run: the default keeps it.
    till = create_order(user=UserFactory())
    assert services.record_order_channel(till, channel="in_store").channel == "in_store"
    process_placed_order.call(till.pk)
    till.refresh_from_db()
    assert till.loyalty_channel.channel == "in_store"
    # An API that records its channel after the task already defaulted to web.
    api = create_order(user=UserFactory())
    assert services.record_default_channel(api).channel == "web"
    assert services.record_order_channel(api, channel="api").channel == "api"
    assert services.record_default_channel(api).channel == "api"
    assert OrderChannel.objects.filter(order=api).count() == 1
    with pytest.raises(ValueError):
        services.record_order_channel(api, channel="fax")
