"""Staff create, edit and switch off rewards, and see the redemption counts."""

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from oscar.test.factories import UserFactory, create_product

from oscar_loyalty.apps.rewards import services
from oscar_loyalty.apps.rewards.models import Reward
from tests.apps.points.conftest import credit
from tests.apps.rewards.conftest import RewardFactory

pytestmark = pytest.mark.django_db


def staff(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="loyalty_rewards", codename__in=codenames
        )
    )
    return user


def test_staff_create_a_points_plus_cash_reward_in_two_languages(django_app, rewards_settings):
    user = staff("view_reward", "add_reward", "change_reward")
    product = create_product(price=D("149.90"), num_in_stock=5)
    page = django_app.get(reverse("loyalty_dashboard:loyalty-rewards-create"), user=user)
    form = next(f for f in page.forms.values() if "points" in f.fields)
    form["name"], form["name_he"] = "Headphones", "אוזניות"
    form["kind"], form["points"], form["cash"] = "points_cash", "500", "49.90"
    form["product"], form["stock"], form["per_member_limit"] = str(product.pk), "10", "1"
    form.submit(user=user).follow(user=user)
    reward = Reward.objects.get()
    assert (reward.kind, reward.points, reward.cash, reward.stock) == (
        Reward.POINTS_PLUS_CASH,
        500,
        D("49.90"),
        10,
    )
    assert reward.translations == {"he": {"name": "אוזניות"}}


def test_a_reward_missing_what_its_kind_needs_is_refused(django_app, rewards_settings):
    user = staff("view_reward", "add_reward")
    page = django_app.get(reverse("loyalty_dashboard:loyalty-rewards-create"), user=user)
    form = next(f for f in page.forms.values() if "points" in f.fields)
    form["name"], form["kind"], form["points"] = "Gift", "gift", "100"
    response = form.submit(user=user)
    assert response.status_int == 200 and "needs a product" in response.text
    assert not Reward.objects.exists()


def test_the_list_counts_redemptions_and_returns(django_app, member, rewards_settings):
    credit(member, 5000)
    reward = RewardFactory(name="Coffee", points=100)
    kept = services.redeem(member, reward, request_key="1")
    returned = services.redeem(member, reward, request_key="2")
    services.return_points(returned, reason="test")
    assert kept.pk
    user = staff("view_reward")
    page = django_app.get(reverse("loyalty_dashboard:loyalty-rewards-list"), user=user)
    row = page.html.select_one(f"#loyalty-reward-row-{reward.pk}")
    assert row.select_one(".loyalty-reward-redeemed").text == "1"
    assert row.select_one(".loyalty-reward-returned").text == "1"


def test_staff_without_the_permission_get_a_403(django_app, rewards_settings):
    user = staff("view_reward")
    django_app.get(reverse("loyalty_dashboard:loyalty-rewards-create"), user=user, status=403)
