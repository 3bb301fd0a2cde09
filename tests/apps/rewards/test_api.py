"""The catalogue and redeeming through the member API: the page's services, as JSON."""

from decimal import Decimal as D

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from oscar_loyalty.apps.rewards.models import Reward, RewardRedemption
from tests.apps.api.conftest import assert_problem, url
from tests.apps.points.conftest import balance, credit
from tests.apps.rewards.conftest import RewardFactory, cash_reward

# GET rewards/: the token (with its user), the member, the points account, the rewards,
# their tiers (one prefetch), the member's redemptions counted per reward.
CATALOGUE_QUERIES = 6

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(member):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=member.user).key}")
    return client


def redeem(api, reward, key="k-1"):
    from django.urls import reverse

    path = reverse("loyalty_api:rewards-redeem", args=[reward.pk])
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(path, format="json", **headers)


def test_the_catalogue_lists_each_reward_with_why_not(api, member, rewards_settings):
    credit(member, 400)
    ok = RewardFactory(points=300, stock=4)
    dear = cash_reward(points=500, cash=D("49.90"))
    response = api.get(url("rewards"))
    assert response.status_code == 200
    items = {item["id"]: item for item in response.json()}
    assert items[ok.pk]["refusal"] is None and items[ok.pk]["stock"] == 4
    assert items[dear.pk]["refusal"] and items[dear.pk]["cash"]["amount"] == "49.90"


def test_redeeming_answers_the_voucher_and_a_replay_answers_it_again(
    api, member, rewards_settings
):
    credit(member, 1000)
    reward = RewardFactory(points=300)
    first = redeem(api, reward)
    assert first.status_code == 201, first.content
    assert first.json()["voucher_code"]
    again = redeem(api, reward)
    assert again.status_code == 200 and again.json() == first.json()
    assert balance(member) == 700 and RewardRedemption.objects.count() == 1


def test_refusals_are_problems_and_the_points_stay(api, member, rewards_settings):
    credit(member, 1000)
    sold_out = RewardFactory(points=300, stock=0)
    assert_problem(redeem(api, sold_out), 409, "reward-out-of-stock")
    assert_problem(redeem(api, RewardFactory(points=5000), key="k-2"), 409, "insufficient-points")
    assert_problem(redeem(api, RewardFactory(points=10), key=None), 400)
    assert_problem(redeem(api, RewardFactory(points=10), key="x" * 300), 400)
    assert balance(member) == 1000
    assert Reward.objects.get(pk=sold_out.pk).stock == 0


@pytest.mark.parametrize("count", [1, 6])
def test_the_catalogue_costs_the_same_queries_whatever_the_number_of_rewards(
    api, member, rewards_settings, count
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    credit(member, 400)
    for index in range(count):
        if index % 2:
            cash_reward(points=500, cash=D("49.90"))
        else:
            RewardFactory(points=300, stock=4)
    api.get(url("rewards"))  # the first request of a process may fill per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url("rewards"))
    assert len(response.json()) == count
    assert len(queries) == CATALOGUE_QUERIES, [q["sql"][:120] for q in queries.captured_queries]
