"""``me/gifts/`` and ``me/referral/``: what the member's home and the referrals page show."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory
from rest_framework.test import APIClient

from oscar_loyalty.apps.offers import gifts
from oscar_loyalty.apps.referrals import services as referrals
from oscar_loyalty.apps.referrals.friend_offer import ensure_friend_offer
from oscar_loyalty.apps.referrals.models import Referral, ReferralVisit
from tests.factories import MemberFactory

from .conftest import assert_problem, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher_offers(settings):
    ensure_friend_offer("referral-friend")
    settings.OSCAR_LOYALTY_WELCOME_GIFT = "voucher"
    settings.OSCAR_LOYALTY_WELCOME_OFFER = "referral-friend"
    settings.OSCAR_LOYALTY_REFERRALS_FRIEND_REWARD = "voucher"
    settings.OSCAR_LOYALTY_REFERRALS_FRIEND_OFFER = "referral-friend"
    settings.OSCAR_LOYALTY_REFERRALS_RATE_LIMIT = (1000, 3600)


def test_gifts_list_the_welcome_gift_and_the_friends_gift_as_the_home_does(
    member, token_client, voucher_offers
):
    welcome = gifts.issue_welcome_gift(member)
    referral = referrals.link_referee(
        member.user, referrals.get_code(MemberFactory()).code, source="checkout"
    )
    gifts.issue_welcome_gift(MemberFactory())  # another member's, never listed
    body = token_client.get(url("gifts")).json()
    assert [(g["kind"], g["code"]) for g in body] == [
        ("welcome", welcome.voucher.code),
        ("friend", referral.friend_voucher.code),
    ]
    assert body[0]["valid_until"]
    web = Client()
    web.force_login(member.user)
    home = web.get(reverse("loyalty:join")).content.decode()
    for gift in body:
        assert gift["code"] in home


def test_a_used_or_expired_voucher_is_no_longer_waiting(member, token_client, voucher_offers):
    welcome = gifts.issue_welcome_gift(member)
    type(welcome.voucher).objects.filter(pk=welcome.voucher.pk).update(num_orders=1)
    assert token_client.get(url("gifts")).json() == []
    type(welcome.voucher).objects.filter(pk=welcome.voucher.pk).update(
        num_orders=0, end_datetime=timezone.now()
    )
    assert token_client.get(url("gifts")).json() == []


def test_gifts_are_for_members(db):
    client = APIClient()
    client.force_login(UserFactory())
    assert_problem(client.get(url("gifts")), 404, "not-a-member")
    assert_problem(APIClient().get(url("gifts")), 401)


def test_the_referral_gives_the_account_pages_code_link_and_share_text(member, token_client):
    body = token_client.get(url("referral")).json()
    code = referrals.get_code(member)
    assert body["code"] == code.code
    assert body["link"] == f"http://testserver/club/r/{code.code}/"
    assert body["link"] in body["share_text"]
    web = Client()
    web.force_login(member.user)
    page = web.get(reverse("loyalty:referrals")).content.decode()
    assert code.code in page and body["link"] in page


def test_the_referral_stats_count_the_members_own_friends_only(
    member, token_client, voucher_offers
):
    code = referrals.get_code(member)
    ReferralVisit.objects.create(code=code)
    ReferralVisit.objects.create(code=code)
    done = referrals.link_referee(UserFactory(), code.code, source="link")
    referrals.link_referee(UserFactory(), code.code, source="link")
    Referral.objects.filter(pk=done.pk).update(status=Referral.REWARDED, referrer_points=500)
    other = referrals.get_code(MemberFactory())
    ReferralVisit.objects.create(code=other)
    referrals.link_referee(UserFactory(), other.code, source="link")
    body = token_client.get(url("referral")).json()
    assert body["stats"] == {
        "visits": 2,
        "sign_ups": 2,
        "first_orders": 1,
        "pending": 0,
        "rewards": 1,
        "points": 500,
    }
    assert sorted(f["status"] for f in body["friends"]) == ["linked", "rewarded"]
    friend = next(f for f in body["friends"] if f["status"] == "rewarded")
    assert friend["reward_points"] == 500
    assert set(friend) == {
        "created_at",
        "status",
        "status_display",
        "reward_points",
        "reward_pending_until",
    }  # no name, no email


def test_the_referral_code_is_made_once_under_repeated_requests(member, token_client):
    first = token_client.get(url("referral")).json()["code"]
    assert token_client.get(url("referral")).json()["code"] == first
    assert Referral.objects.count() == 0


@pytest.mark.parametrize("friends", [1, 20])
def test_the_referral_costs_the_same_queries_whatever_the_number_of_friends(
    member, token_client, voucher_offers, friends
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    code = referrals.get_code(member)
    for _ in range(friends):
        referrals.link_referee(UserFactory(), code.code, source="link")
    with CaptureQueriesContext(connection) as queries:
        body = token_client.get(url("referral")).json()
    assert len(body["friends"]) == friends
    # The token, the member, the code, the stats (2), the friends: whatever their number.
    assert len(queries) == 6


@pytest.mark.parametrize("count", [1, 3])
def test_gifts_cost_the_same_queries_whatever_their_number(
    member, token_client, voucher_offers, count
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oscar_loyalty.apps.offers.gifts import issue_voucher
    from oscar_loyalty.apps.offers.models import MemberGift

    for index in range(count):
        voucher = issue_voucher(
            member,
            offer_slug="referral-friend",
            name=f"Gift {index}",
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(days=30),
        )
        MemberGift.objects.create(
            member=member, kind=MemberGift.BIRTHDAY, voucher=voucher, key=f"test:{index}"
        )
    with CaptureQueriesContext(connection) as queries:
        body = token_client.get(url("gifts")).json()
    assert len(body) == count
    assert len(queries) == 4  # the token, the member, the gifts, the friend's gift
