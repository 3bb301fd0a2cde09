"""A member redeems a catalogue reward in a real browser, in English and in Hebrew.

The member's home lists the rewards with a redeem button; redeeming a gift
takes its points and puts the product in the basket at no charge; it goes
through Oscar's checkout and the order's line costs 0.
"""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_product

from oscar_loyalty.apps.points import services as points_services
from oscar_loyalty.apps.points.models import PointsAccount
from oscar_loyalty.apps.rewards.models import Reward, RewardRedemption
from tests.factories import MemberFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

Order = get_model("order", "Order")

TEXT = {
    "en": {
        "section": "Rewards for your points",
        "redeem": "Redeem",
        "done": "It is in your basket",
    },
    "he": {"section": "הטבות בנקודות שלך", "redeem": "מימוש", "done": "הוא נמצא בסל שלך"},
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_member_redeems_a_gift_from_the_member_home_and_it_costs_nothing_at_checkout(
    steps, store, language
):
    text, page = TEXT[language], steps.page
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": steps.base_url}]
    )
    mug = create_product(title="Club mug", price=D("35.00"), num_in_stock=20)
    reward = Reward.objects.create(
        name="A club mug",
        translations={"he": {"name": "ספל המועדון"}},
        kind=Reward.GIFT,
        points=300,
        product=mug,
        stock=1,
    )
    user = UserFactory(email=f"noa.{language}@example.com")
    user.set_password(PASSWORD)
    user.save()
    member = MemberFactory(user=user, plan=store["plan"])
    points_services.adjust_points(member, 500, reason="Start", staff_user=None)

    steps.goto(reverse("customer:login"))
    page.fill("#id_login-username", user.email)
    page.fill("#id_login-password", PASSWORD)
    steps.submit("button[name=login_submit]")
    steps.goto(reverse("loyalty:join"))
    section = page.inner_text("#loyalty-home-rewards")
    assert text["section"] in section
    assert ("ספל המועדון" if language == "he" else "A club mug") in section
    steps.shot("rewards-on-the-member-home")

    steps.submit(f"#loyalty-reward-form-{reward.pk} button[type=submit]")
    page.wait_for_url(re.compile(r"/basket/"))
    assert text["done"] in page.inner_text("body")
    assert PointsAccount.objects.get(member=member).balance == 200
    steps.shot("gift-in-the-basket")

    # With something bought as well, through Oscar's checkout: the gift's line is paid 0.
    steps.goto(store["tea"].get_absolute_url())
    steps.submit("#add_to_basket_form button[type=submit]")
    steps.checkout_to_preview(
        name=("Noa", "Peretz"), line1="1 Herzl Street", city="Haifa", postcode="3100000"
    )
    steps.place_order()
    steps.shot("gift-ordered")

    order = Order.objects.get(user=user)
    assert order.lines.get(product=mug).line_price_incl_tax == D("0.00")
    assert order.total_incl_tax == D("40.00") + order.shipping_incl_tax
    redemption = RewardRedemption.objects.get(member=member)
    assert (redemption.status, redemption.order_id) == (RewardRedemption.CAPTURED, order.pk)
    # The last unit is taken: the home shows the reward without its button.
    steps.goto(reverse("loyalty:join"))
    assert not page.locator(f"#loyalty-reward-form-{reward.pk}").count()
