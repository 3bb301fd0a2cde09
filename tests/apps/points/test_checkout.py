"""A member spends and earns points through Oscar's real checkout views (django-webtest)."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import CountryFactory, create_product

from oscar_loyalty.apps.points.models import PointsAccount, PointsEarning, PointsRedemption
from tests.apps.points.conftest import credit

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")


@pytest.fixture
def shop(points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_PENDING_DAYS = 14
    CountryFactory(iso_3166_1_a2="IL", printable_name="Israel", is_shipping_country=True)
    return create_product(price=D("120.00"), num_in_stock=10, title="Kettle")


def add_to_basket(app, user, product):
    page = app.get(product.get_absolute_url(), user=user)
    page.forms["add_to_basket_form"].submit(user=user).follow(user=user)


def checkout(app, user):
    page = app.get(reverse("checkout:index"), user=user).follow(user=user)
    form = page.forms["new_shipping_address"]
    form["first_name"], form["last_name"] = "Dana", "Levi"
    form["line1"], form["line4"], form["postcode"] = "1 Herzl St", "Tel Aviv", "6100000"
    form["phone_number"] = "+972 3-555-1234"
    page = form.submit(user=user)
    errors = [ln.strip() for ln in page.text.splitlines() if "error-block" in ln]
    assert page.status_int == 302, errors
    while page.status_int == 302:
        page = page.follow(user=user)
    preview = app.get(reverse("checkout:preview"), user=user)
    return preview


def test_a_new_member_sees_the_points_box_before_their_first_earning(django_app, member, shop):
    assert not PointsAccount.objects.filter(member=member).exists()
    add_to_basket(django_app, member.user, shop)
    basket_page = django_app.get(reverse("basket:summary"), user=member.user)
    box = basket_page.html.select_one("#loyalty-points")
    assert box is not None
    assert "You have no club points yet." in box.text
    assert "they can be spent 14 days after the order" in box.text
    assert "You will earn 120 points" in box.text
    assert "loyalty_points_form" not in str(box)  # nothing to spend yet


def test_a_member_applies_points_and_places_the_order_through_the_checkout(
    django_app, member, shop
):
    user = member.user
    credit(member, 5000)
    add_to_basket(django_app, user, shop)

    basket_page = django_app.get(reverse("basket:summary"), user=user)
    assert "You have <strong>5000</strong> points" in basket_page.text
    assert "You will earn 120 points" in basket_page.text
    form = basket_page.forms["loyalty_points_form"]
    form["points"] = "2000"
    basket_page = form.submit(user=user).follow(user=user)
    assert "2000 points (" in basket_page.text and "applied to your basket" in basket_page.text
    assert "You will earn 100 points" in basket_page.text

    preview = checkout(django_app, user)
    assert "Your club points: 3000" not in preview.text  # reserved, not yet spent
    assert "Your club points: 5000" in preview.text
    # ...and what is left once the order takes the applied points.
    after = preview.html.select_one("#loyalty-points-after").text
    assert "2000 points are applied to this order: 3000 points (worth ₪30.00) are left" in after
    assert "Club points" in preview.text
    assert "You will earn 100 points" in preview.text
    thank_you = preview.forms["place_order_form"].submit(user=user).follow(user=user)

    order = Order.objects.get(user=user)
    assert order.total_incl_tax == D("100.00")
    assert "Points spent: 2000" in thank_you.text
    # The quote the place-order request left (receipt.py); the earning follows in the task.
    assert "Points this order earns: 100" in thank_you.text
    account = PointsAccount.objects.get(member=member)
    assert (account.balance, account.pending) == (3000, 100)
    assert PointsRedemption.objects.get(order=order).captured_points == 2000
    detail = django_app.get(reverse("customer:order", args=[order.number]), user=user)
    assert "Points spent: 2000" in detail.text

    # Staff cancel the order: everything comes back, once.
    order.set_status("Cancelled")
    account.refresh_from_db()
    assert (account.balance, account.pending) == (5000, 0)
    assert PointsEarning.objects.get(order=order).status == PointsEarning.CANCELLED


def test_bad_input_on_the_basket_form_gets_a_message_and_changes_nothing(django_app, member, shop):
    credit(member, 100)
    add_to_basket(django_app, member.user, shop)
    for bad, message in [
        ("abc", "Enter a whole number of points."),
        ("-3", "Enter a positive number of points."),
        ("101", "You have 100 points available."),
    ]:
        page = django_app.get(reverse("basket:summary"), user=member.user)
        form = page.forms["loyalty_points_form"]
        form["points"] = bad
        page = form.submit(user=member.user).follow(user=member.user)
        assert message in page.text
    assert not PointsRedemption.objects.exists()


def test_the_account_page_shows_balance_pending_expiry_and_history(django_app, member, shop):
    credit(member, 300, reason="Welcome gift")
    page = django_app.get(reverse("loyalty:points"), user=member.user)
    assert "Welcome gift" in page.text
    assert "300 points on" in page.text  # the next expiry
    assert "<th>Balance</th><td>300 (" in page.text


def test_the_thank_you_page_quotes_the_points_until_the_worker_records_them(
    django_app, member, shop, settings
):
    """With a real task queue the earning is recorded after the response.

    The thank-you page must not say "nothing earned" meanwhile: it shows the
    policy's quote, and the queued task then records exactly that.
    """
    from django_tasks import default_task_backend

    from oscar_loyalty.orders import process_placed_order

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    user = member.user
    add_to_basket(django_app, user, shop)
    preview = checkout(django_app, user)
    thank_you = preview.forms["place_order_form"].submit(user=user).follow(user=user)

    order = Order.objects.get(user=user)
    assert not PointsEarning.objects.filter(order=order).exists()
    assert "Points this order earns: 120" in thank_you.text
    queued = [result for result in default_task_backend.results if result.args == [order.pk]]
    assert len(queued) == 1

    process_placed_order.call(order.pk)
    assert PointsEarning.objects.get(order=order).points == 120
    page = django_app.get(reverse("customer:order", args=[order.number]), user=user)
    assert "Points earned: 120" in page.text and "Points this order earns" not in page.text
