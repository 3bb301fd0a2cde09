"""The catalogue page, the member home's section and the redeem button, in both languages."""

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation

from oscar_loyalty.apps.rewards.models import Reward, RewardRedemption
from tests.apps.points.conftest import balance, credit
from tests.apps.rewards.conftest import RewardFactory, cash_reward, gift_reward

pytestmark = pytest.mark.django_db


def redeem_form(page, reward):
    return page.forms[f"loyalty-reward-form-{reward.pk}"]


def test_the_member_home_lists_rewards_with_a_redeem_button_and_redeeming_a_voucher_shows_its_code(
    django_app, member, rewards_settings
):
    credit(member, 1000)
    reward = RewardFactory(points=300, name="Coffee voucher", stock=2)
    home = django_app.get(reverse("loyalty:join"), user=member.user)
    assert "loyalty-home-rewards" in home.text and "Coffee voucher" in home.text
    page = redeem_form(home, reward).submit().follow()
    redemption = RewardRedemption.objects.get()
    assert redemption.voucher.code in page.text
    assert balance(member) == 700
    assert Reward.objects.get(pk=reward.pk).stock == 1


def test_posting_the_same_form_twice_redeems_once(django_app, member, rewards_settings):
    credit(member, 1000)
    reward = RewardFactory(points=300)
    page = django_app.get(reverse("loyalty:rewards"), user=member.user)
    form = redeem_form(page, reward)
    form.submit()
    form.submit()  # the browser's back button and a second click
    assert RewardRedemption.objects.count() == 1 and balance(member) == 700


def test_a_gift_redeemed_from_the_catalogue_lands_in_the_basket_at_no_charge(
    django_app, member, rewards_settings
):
    credit(member, 1000)
    reward = gift_reward(points=400, name="Tote bag")
    page = django_app.get(reverse("loyalty:rewards"), user=member.user)
    basket = redeem_form(page, reward).submit().follow()
    assert basket.request.path == reverse("basket:summary")
    assert "Tote bag" in basket.text and "Club rewards" in basket.text
    assert balance(member) == 600


def test_a_refusal_is_a_message_and_the_points_stay(django_app, member, rewards_settings):
    credit(member, 1000)
    reward = cash_reward(points=500, cash=D("49.90"), stock=1)
    page = django_app.get(reverse("loyalty:rewards"), user=member.user)
    Reward.objects.filter(pk=reward.pk).update(stock=0)  # the last unit went meanwhile
    after = redeem_form(page, reward).submit().follow()
    assert "just run out" in after.text
    assert balance(member) == 1000


def test_the_catalogue_speaks_hebrew(django_app, member, rewards_settings):
    credit(member, 1000)
    reward = RewardFactory(points=300, name="Coffee", translations={"he": {"name": "קפה"}})
    with translation.override("he"):
        url = reverse("loyalty:rewards")
    page = django_app.get(url, user=member.user, headers={"Accept-Language": "he"})
    assert "קפה" in page.text and "מימוש" in page.text
    assert re.search(r"יש לך 1000 נקודות", page.text)
    assert reward.pk


def test_a_hostile_post_is_refused_and_nothing_changes(client, member, rewards_settings):
    credit(member, 1000)
    reward = RewardFactory(points=300)
    client.force_login(member.user)
    missing = client.post(reverse("loyalty:rewards-redeem", args=[999999]), {"request_key": "x"})
    assert missing.status_code == 404
    url = reverse("loyalty:rewards-redeem", args=[reward.pk])
    for data in ({}, {"request_key": "x" * 500}, {"request_key": "ok", "next": "https://evil"}):
        response = client.post(url, data)
        assert response.status_code == 302 and "evil" not in response["Location"]
    assert RewardRedemption.objects.count() == 1  # only the well-formed one
    assert balance(member) == 700
