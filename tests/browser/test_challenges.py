"""A member completes a challenge in a real browser, in English and in Hebrew.

The member has one order of a two-order challenge; the member's home shows
the bar at 1 of 2 (role="progressbar", its aria values, filling from the
right in Hebrew); the member buys through Oscar's checkout, and the home
shows the challenge completed and the reward in the balance.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.challenges.models import Challenge, Completion
from oscar_loyalty.apps.points.models import PointsAccount
from tests.factories import MemberFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TEXT = {
    "en": {"of": "1 of 2", "completed": "Completed"},
    "he": {"of": "1 מתוך 2", "completed": "הושלם"},
}


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_member_completes_a_challenge_and_sees_it_on_the_member_home(steps, store, language):
    text, page = TEXT[language], steps.page
    steps.page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": steps.base_url}]
    )
    challenge = Challenge.objects.create(
        name="Two orders this month" if language == "en" else "שתי הזמנות החודש",
        kind=Challenge.ORDERS,
        target=2,
        period_days=30,
        starts_at=timezone.now() - timedelta(days=1),
        reward_kind=Challenge.POINTS,
        reward_points=250,
    )
    user = UserFactory(email=f"maya.{language}@example.com")
    user.set_password(PASSWORD)
    user.save()
    member = MemberFactory(user=user, plan=store["plan"])
    from tests.apps.points.conftest import place

    place(user, products=[store["tea"]])  # the first of the two orders

    steps.goto(reverse("customer:login"))
    page.fill("#id_login-username", user.email)
    page.fill("#id_login-password", PASSWORD)
    steps.submit("button[name=login_submit]")
    steps.goto(reverse("loyalty:join"))
    bar = page.locator(f"#loyalty-challenge-{challenge.pk} [role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "1"
    assert bar.get_attribute("aria-valuemax") == "2"
    assert bar.get_attribute("aria-valuetext") == text["of"]
    assert text["of"] in page.inner_text(f"#loyalty-challenge-{challenge.pk}")
    # The filled part starts at the reading side: the right in Hebrew, the left in English.
    outer = bar.bounding_box()
    inner = page.locator(f"#loyalty-challenge-{challenge.pk} .progress-bar").bounding_box()
    if language == "he":
        assert abs((inner["x"] + inner["width"]) - (outer["x"] + outer["width"])) < 2
    else:
        assert abs(inner["x"] - outer["x"]) < 2
    steps.shot("challenge-half-way")

    # The second order, through Oscar's checkout.
    steps.goto(store["tea"].get_absolute_url())
    steps.submit("#add_to_basket_form button[type=submit]")
    steps.checkout_to_preview(
        name=("Maya", "Cohen"), line1="1 Herzl Street", city="Haifa", postcode="3100000"
    )
    steps.place_order()

    assert Completion.objects.filter(participation__member=member).count() == 1
    steps.goto(reverse("loyalty:join"))
    item = page.inner_text(f"#loyalty-challenge-{challenge.pk}")
    assert text["completed"] in item
    bar = page.locator(f"#loyalty-challenge-{challenge.pk} [role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "2"
    balance = PointsAccount.objects.get(member=member).balance
    assert balance == 40 + 40 + 250  # two orders of 40.00, and the reward
    assert page.inner_text("#loyalty-home-balance") == str(balance)
    steps.shot("challenge-completed")
