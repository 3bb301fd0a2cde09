"""``/club/``: the member's home, the join page for everyone else, and the way there."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.membership import join_choices, services, tiers
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points import services as points_services
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry
from tests.apps.points.conftest import place
from tests.factories import MemberFactory, PointsPromotionFactory, TierFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-1"


@pytest.fixture
def shopper(client):
    user = UserFactory(email="shopper@example.com", first_name="Dana")
    client.force_login(user)
    return user


@pytest.fixture
def rules(settings):
    settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "1"
    settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 14
    settings.OSCAR_LOYALTY_POINTS_VALUE = "0.01"
    settings.OSCAR_LOYALTY_POINTS_EXPIRY_MONTHS = 12
    return settings


# Finding the club ------------------------------------------------------------


def test_the_store_header_links_to_the_club_on_every_page(client, free_plan):
    html = client.get(reverse("catalogue:index")).content.decode()
    header = html.split('id="navbarSupportedContent"')[1].split("</nav>")[0]
    assert 'id="loyalty-club-link"' in header
    assert f'href="{reverse("loyalty:join")}"' in header


def test_the_club_link_costs_no_query(rf, free_plan):
    """The add-on's navigation renders with exactly the queries of Oscar's own."""
    from pathlib import Path

    import oscar
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template, engines
    from oscar.core.loading import get_model

    request = rf.get("/")
    request.user = AnonymousUser()
    request.basket = get_model("basket", "Basket")()
    ours = engines["django"].engine.get_template("oscar/partials/nav_primary.html")
    stock = Template(
        (Path(oscar.__file__).parent / "templates/oscar/partials/nav_primary.html").read_text()
    )
    counts, pages = [], []
    for template in (ours, stock):
        with CaptureQueriesContext(connection) as queries:
            pages.append(template.render(Context({"request": request})))
        counts.append(len(queries.captured_queries))
    assert 'id="loyalty-club-link"' in pages[0] and 'id="loyalty-club-link"' not in pages[1]
    assert counts[0] == counts[1]


# Joining as a guest keeps the choices ------------------------------------------


def test_a_guest_pressing_join_keeps_the_ticked_boxes_through_login(client, free_plan):
    user = UserFactory(email="guest@example.com")
    user.set_password(PASSWORD)
    user.save()
    response = client.post(reverse("loyalty:join"), {"plan": free_plan.pk, "consent_email": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('customer:login')}?next={reverse('loyalty:join')}"
    assert not Member.objects.exists()

    # Oscar's login with the next URL, as the login page posts it.
    response = client.post(
        f"{reverse('customer:login')}?next={reverse('loyalty:join')}",
        {
            "login-username": "guest@example.com",
            "login-password": PASSWORD,
            "login-redirect_url": reverse("loyalty:join"),
            "login_submit": "Log In",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("loyalty:join")

    form = client.get(reverse("loyalty:join")).context["form"]
    assert form.initial["consent_email"] is True
    assert form.initial["plan"] == free_plan.pk
    assert "consent_sms" not in form.initial
    html = client.get(reverse("loyalty:join")).content.decode()
    assert 'id="loyalty-join-choices-kept"' in html
    email_box = html.split('name="consent_email"')[1].split(">")[0]
    assert "checked" in email_box

    # Nothing is recorded until the shopper presses Join themselves.
    assert not ConsentRecord.objects.exists()
    client.post(reverse("loyalty:join"), {"plan": free_plan.pk, "consent_email": "on"})
    assert Member.objects.filter(user=user).exists()
    assert ConsentRecord.objects.get(user=user).channel == "email"
    assert join_choices.SESSION_KEY not in client.session


def test_a_guest_pressing_join_keeps_the_choices_through_registration(client, free_plan):
    client.post(reverse("loyalty:join"), {"plan": free_plan.pk, "consent_sms": "on"})
    response = client.post(
        f"{reverse('customer:register')}?next={reverse('loyalty:join')}",
        {
            "email": "new@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "redirect_url": reverse("loyalty:join"),
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("loyalty:join")
    form = client.get(reverse("loyalty:join")).context["form"]
    assert form.initial["consent_sms"] is True and "consent_email" not in form.initial


def test_another_shopper_in_a_new_session_starts_with_unticked_boxes(client, shopper, free_plan):
    html = client.get(reverse("loyalty:join")).content.decode()
    assert 'id="loyalty-join-choices-kept"' not in html
    assert "checked" not in html.split('name="consent_email"')[1].split(">")[0]


# The member's home -----------------------------------------------------------------


def test_a_guest_and_a_non_member_still_see_the_join_page(client, free_plan):
    assert b"loyalty-join-form" in client.get(reverse("loyalty:join")).content
    client.force_login(UserFactory())
    assert b"loyalty-join-form" in client.get(reverse("loyalty:join")).content


def test_a_member_sees_the_home_with_the_card_and_no_join_form(client, shopper, free_plan):
    member = services.join_club(shopper)
    response = client.get(reverse("loyalty:join"))
    html = response.content.decode()
    assert response.templates[0].name == "oscar_loyalty/membership/home.html"
    assert "loyalty-join-form" not in html
    assert member.formatted_number in html and "<svg" in html
    assert "<title>" in html and "Your club" in html.split("<title>")[1].split("</title>")[0]
    assert "Your club" in html.split("<h1>")[1].split("</h1>")[0]
    # Renewing or changing plan: the plans page is one link away.
    plans = client.get(reverse("loyalty:join") + "?plans=1").content.decode()
    assert "Club plans" in plans.split("<h1>")[1] and "loyalty-join-form" not in plans


def test_the_home_figures_are_the_ledger_s(client, shopper, free_plan, rules):
    member = services.join_club(shopper)
    now = timezone.now()
    points_services.adjust_points(
        member, 700, reason="Old", staff_user=None, now=now - timedelta(days=300)
    )
    points_services.adjust_points(member, 500, reason="New", staff_user=None, now=now)
    place(shopper, prices=[D("40.00")])  # 40 points pending for 14 days

    html = client.get(reverse("loyalty:join")).content.decode()
    account = PointsAccount.objects.get(member=member)
    ledger_balance = PointsEntry.objects.filter(account=account).aggregate(total=Sum("points"))
    assert account.balance == ledger_balance["total"] == 1200
    assert account.pending == 40
    expires_at, expiring = points_services.next_expiry(account)
    assert expiring == 700

    assert 'id="loyalty-home-balance">1200<' in html
    assert 'id="loyalty-home-pending">40<' in html
    assert "12.00" in html.split('id="loyalty-home-value">')[1].split("<")[0]
    expiry = html.split('id="loyalty-home-expiry">')[1].split("</dd>")[0]
    assert "700 points" in expiry
    from django.utils.formats import date_format

    assert date_format(timezone.localtime(expires_at), "DATE_FORMAT") in expiry


def test_the_home_shows_the_progress_to_the_next_tier_and_its_perks(client, shopper, free_plan):
    silver = TierFactory(name="Silver", qualifying_spend=D("0.00"))
    TierFactory(
        name="Gold",
        qualifying_spend=D("500.00"),
        points_multiplier=D("1.50"),
        discount_percent=D("5"),
    )
    member = services.join_club(shopper)
    Member.objects.filter(pk=member.pk).update(tier=silver, qualifying_spend=D("200.00"))
    member.refresh_from_db()

    progress = tiers.tier_progress(member)
    assert (progress.tier, progress.next_tier.name) == (silver, "Gold")
    assert (progress.remaining, progress.percent) == (D("300.00"), 40)

    html = client.get(reverse("loyalty:join")).content.decode()
    assert "300.00" in html.split('id="loyalty-home-next-tier">')[1].split("</p>")[0]
    perks = html.split('id="loyalty-home-next-perks">')[1].split("</ul>")[0]
    assert "×1.5 points" in perks and "5% member discount" in perks


def test_the_highest_tier_has_no_next_tier(shopper, free_plan):
    gold = TierFactory(name="Gold", qualifying_spend=D("500.00"))
    member = MemberFactory(tier=gold, qualifying_spend=D("800.00"))
    progress = tiers.tier_progress(member)
    assert progress.next_tier is None and progress.remaining == 0


def test_ways_to_earn_follow_the_policy_and_settings_in_force(client, shopper, free_plan, rules):
    rules.OSCAR_LOYALTY_POINTS_BONUSES = {"birthday": 50, "profile": 30}
    rules.OSCAR_LOYALTY_REFERRALS_REFERRER_REWARD = "points"
    rules.OSCAR_LOYALTY_REFERRALS_REFERRER_POINTS = 250
    gold = TierFactory(name="Gold", points_multiplier=D("1.50"))
    member = services.join_club(shopper)
    Member.objects.filter(pk=member.pk).update(tier=gold)
    PointsPromotionFactory(multiplier=D("2"))

    html = client.get(reverse("loyalty:join")).content.decode()
    ways = html.split('id="loyalty-ways-to-earn">')[1].split("</ul>")[0]
    # 1 point per unit × 1.5 (tier) × 2 (promotion) = 3.
    assert "3 points for every" in ways
    assert "×1.5 for your tier" in ways and "×2 promotion now" in ways
    assert "spendable 14 days after" in ways
    assert "50 points on your birthday" in ways and reverse("loyalty:profile") in ways
    assert "30 points for completing your club profile" in ways
    assert "250 points for each friend you invite" in ways


def test_a_bonus_already_received_is_not_offered_again(client, shopper, free_plan, rules):
    rules.OSCAR_LOYALTY_POINTS_BONUSES = {"profile": 30}
    member = services.join_club(shopper)
    from oscar_loyalty.apps.points.bonuses import award_bonus

    award_bonus(member, kind="profile")
    html = client.get(reverse("loyalty:join")).content.decode()
    assert "completing your club profile" not in html


def test_the_gifts_waiting_include_the_friend_s_gift(client, shopper, free_plan, settings):
    from oscar.test.factories import VoucherFactory

    from oscar_loyalty.apps.offers.models import MemberGift
    from tests.factories import ReferralFactory

    member = services.join_club(shopper)
    later = timezone.now() + timedelta(days=10)
    birthday = VoucherFactory(name="Birthday", code="BDAY2026", end_datetime=later)
    MemberGift.objects.create(key="b", member=member, kind=MemberGift.BIRTHDAY, voucher=birthday)
    used = VoucherFactory(name="Used", code="USEDONE", end_datetime=later, num_orders=1)
    MemberGift.objects.create(key="w", member=member, kind=MemberGift.WELCOME, voucher=used)
    friend = VoucherFactory(name="Friend", code="FRIEND10", end_datetime=later)
    ReferralFactory(referee=shopper, friend_voucher=friend)

    html = client.get(reverse("loyalty:join")).content.decode()
    waiting = html.split('id="loyalty-gifts-waiting">')[1].split("</ul>")[0]
    assert "BDAY2026" in waiting and "FRIEND10" in waiting
    assert "USEDONE" not in waiting
    assert 'id="loyalty-friend-gift"' in waiting
    # Each is one press from the basket (Oscar's voucher form).
    assert waiting.count(f'action="{reverse("basket:vouchers-add")}"') == 2


def test_nothing_waiting_says_so(client, shopper, free_plan):
    services.join_club(shopper)
    assert b'id="loyalty-gifts-waiting-none"' in client.get(reverse("loyalty:join")).content


def test_the_card_comes_before_the_account_links_on_a_narrow_screen(client, shopper, free_plan):
    services.join_club(shopper)
    for name in ("loyalty:join", "loyalty:card"):
        html = client.get(reverse(name)).content.decode()
        assert 'class="account-profile loyalty-card-first"' in html
        assert "oscar_loyalty/css/club.css" in html


# Titles and headings -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "loyalty:join",
        "loyalty:offers",
        "loyalty:referrals",
        "loyalty:points",
        "loyalty:card",
        "loyalty:membership",
        "loyalty:profile",
        "loyalty:preferences",
        "loyalty:privacy",
    ],
)
def test_every_club_page_has_a_title_and_a_heading(client, shopper, free_plan, name):
    services.join_club(shopper)
    html = client.get(reverse(name)).content.decode()
    title = " ".join(html.split("<title>")[1].split("</title>")[0].split())
    heading = html.split("<h1")[1].split(">", 1)[1].split("</h1>")[0].strip()
    assert title and not title.startswith("|"), (name, title)
    assert heading, name
