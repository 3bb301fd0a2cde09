"""The benefit on every page, in a real browser, in English and in Hebrew (right to left).

* "Earn N points" on the product list and page, N from the checkout's earning policy;
* the member-price badge with the regular price in the list;
* the basket's points, voucher and friend's-code boxes inside Oscar's grid (desktop, phone);
* the checkout preview's balance after the applied points;
* a referred friend's gift in the basket and in the order.
"""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import RangeFactory

from oscar_loyalty.apps.offers.strategy import Selector
from oscar_loyalty.apps.points import services as points_services
from oscar_loyalty.apps.points.policies import get_policy
from oscar_loyalty.apps.referrals import services as referral_services
from tests.factories import MemberFactory, TierFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

Order = get_model("order", "Order")
PHONE = {"width": 375, "height": 812}
TEXT = {
    "en": {"earn": "Earn {n} club points", "members_earn": "Club members earn {n} points"},
    "he": {"earn": "צברו {n} נקודות מועדון", "members_earn": "חברי מועדון צוברים {n} נקודות"},
}


def use_language(steps, language: str) -> None:
    steps.page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": steps.base_url}]
    )


def assert_language(steps, language: str) -> None:
    assert steps.html_attrs() == (language, "rtl" if language == "he" else "ltr")


def log_in(steps, user) -> None:
    steps.goto(reverse("customer:login"))
    steps.page.fill("#id_login-username", user.email)
    steps.page.fill("#id_login-password", PASSWORD)
    steps.submit("button[name=login_submit]")


def hint_of(page, product) -> str:
    card = page.locator(
        "article.product_pod", has=page.locator(f'a[href="{product.get_absolute_url()}"]')
    )
    return card.locator(".loyalty-earn-hint").inner_text()


def expected_points(product, member) -> int:
    """What the checkout's policy says one unit earns at the member's price."""
    price = Selector().strategy(user=member.user).fetch_for_product(product).price
    return get_policy().quote_price(product, price, member, now=timezone.now())


def assert_inside_the_grid(page) -> None:
    """The boxes beside Oscar's voucher form: inside the page, none over another."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    boxes = [
        page.locator(selector).bounding_box()
        for selector in (
            "#loyalty-points",
            "#voucher_form_link",
            "#loyalty_referral_form",
            "#basket_totals",
        )
        if page.locator(selector).count()
    ]
    boxes = [box for box in boxes if box]
    width = page.evaluate("window.innerWidth")
    for box in boxes:
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"] + 1
                or b["x"] + b["width"] <= a["x"] + 1
                or a["y"] + a["height"] <= b["y"] + 1
                or b["y"] + b["height"] <= a["y"] + 1
            )
            assert apart, (a, b)


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_member_sees_the_benefit_on_every_page_and_the_balance_after_the_points(
    steps, store, language
):
    page, text = steps.page, TEXT[language]
    tier = TierFactory(name="Silver", points_multiplier=D("2"), qualifying_spend=D("0"))
    member = MemberFactory(
        user__email=f"dana.{language}@example.com",
        user__first_name="Dana",
        tier=tier,
        plan=store["plan"],
    )
    member.user.set_password(PASSWORD)
    member.user.save()
    points_services.adjust_points(member, 1000, reason="Test credit", staff_user=None)
    oil, tea = store["oil"], store["tea"]
    use_language(steps, language)

    # Oscar's range page lists products from the database (the test settings have no
    # search engine for the catalogue index).
    product_range = RangeFactory(is_public=True, products=[oil, tea])
    list_url = reverse("catalogue:range", kwargs={"slug": product_range.slug})

    # A guest reads what members earn: a member joining today starts in Silver (x2).
    steps.goto(list_url)
    assert_language(steps, language)
    assert text["members_earn"].format(n=80) in hint_of(page, tea)

    # The member: the list's hints are the policy's numbers, the oil's badge the regular price.
    log_in(steps, member.user)
    steps.goto(list_url)
    assert_language(steps, language)
    oil_points, tea_points = expected_points(oil, member), expected_points(tea, member)
    assert (oil_points, tea_points) == (180, 80)  # 90.00 member price and 40.00, tier x2
    assert text["earn"].format(n=oil_points) in hint_of(page, oil)
    assert text["earn"].format(n=tea_points) in hint_of(page, tea)
    card = page.locator(
        "article.product_pod", has=page.locator(f'a[href="{oil.get_absolute_url()}"]')
    )
    badge = card.locator(".loyalty-member-price-badge").inner_text()
    assert "100.00" in badge and "₪" in badge
    steps.doc_shot(f"product-list-{language}")

    # The product page says the same.
    steps.goto(oil.get_absolute_url())
    assert text["earn"].format(n=oil_points) in page.inner_text(".product_main")
    steps.submit("#add_to_basket_form button[type=submit]")

    # The basket: 500 of the 1,000 points applied; the boxes sit in Oscar's grid.
    steps.goto(reverse("basket:summary"))
    page.fill("#id_points", "500")
    steps.submit("#loyalty_points_form button[type=submit]")
    assert_inside_the_grid(page)
    page.locator("#loyalty-points").scroll_into_view_if_needed()
    steps.doc_shot(f"basket-{language}", full_page=True)
    page.set_viewport_size(PHONE)
    steps.goto(reverse("basket:summary"))
    assert_inside_the_grid(page)
    steps.doc_shot(f"basket-{language}-mobile", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The preview: the balance, and what is left once the order takes the 500 points.
    steps.checkout_to_preview(
        name=("Dana", "Levi"), line1="1 Rothschild Boulevard", city="Tel Aviv", postcode="6100000"
    )
    after = page.inner_text("#loyalty-points-after")
    assert "500" in after and "5.00" in after
    assert "1000" in page.inner_text("#loyalty-points-balance").replace(",", "")
    steps.doc_shot(f"preview-{language}")


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_referred_friend_finds_the_gift_in_the_basket_and_the_order_carries_it(
    steps, store, language
):
    page = steps.page
    referrer = MemberFactory(plan=store["plan"])
    code = referral_services.get_code(referrer)
    use_language(steps, language)
    email = f"friend.{language}@example.com"

    # The share link leads to registration; the friend registers.
    steps.goto(f"/club/r/{code.code}/")
    page.wait_for_url(re.compile(re.escape(reverse("customer:register"))))
    assert_language(steps, language)
    page.fill("#id_email", email)
    page.fill("#id_first_name", "Noa")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    steps.submit("button[name=registration_submit]")

    # The gift is in the basket without typing a code.
    steps.goto(store["tea"].get_absolute_url())
    steps.submit("#add_to_basket_form button[type=submit]")
    steps.goto(reverse("basket:summary"))
    from oscar_loyalty.apps.referrals.models import Referral

    voucher = Referral.objects.get(referee__email=email).friend_voucher
    basket = get_model("basket", "Basket").open.get(owner__email=email)
    assert list(basket.vouchers.all()) == [voucher]
    assert "4.00" in page.inner_text("#basket_totals")  # 10 % of the tea's 40.00
    steps.doc_shot(f"basket-friend-gift-{language}", full_page=True)

    # Oscar's checkout: the order carries the friend's discount (10 % of 40.00).
    steps.checkout_to_preview(
        name=("Noa", "Cohen"), line1="2 Herzl Street", city="Haifa", postcode="3100000"
    )
    steps.place_order()
    order = Order.objects.get(user__email=email)
    assert order.discounts.filter(voucher_id=voucher.pk).exists()
    assert order.total_excl_tax == D("36.00") + order.shipping_excl_tax
