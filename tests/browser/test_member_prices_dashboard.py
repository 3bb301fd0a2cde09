"""Staff set member prices in Oscar's dashboard: the product chooser and a CSV import."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.offers.models import MemberPrice
from oscar_loyalty.apps.points import services as points_services
from tests.factories import MemberFactory, TierFactory

from .test_staff_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def member_price(product) -> D | None:
    row = MemberPrice.objects.filter(stockrecord__product=product).first()
    return row.price if row else None


@pytest.mark.parametrize("language", ["en", "he"])
def test_staff_set_member_prices_with_the_chooser_and_a_csv_file(steps, store, language, tmp_path):
    page = steps.page
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": steps.base_url}]
    )
    oil, tea = store["oil"], store["tea"]
    tea_sku = tea.stockrecords.get().partner_sku
    log_in(steps, store["staff"].email)

    # Oscar's product page has a Member prices tab that leads to the club's page.
    steps.goto(reverse("dashboard:catalogue-product", args=[oil.pk]))
    page.click("#loyalty-member-prices-tab")
    assert "90.00" in page.inner_text("#loyalty_member_prices")
    steps.shot("product-tab")

    # Pick a product with Oscar's chooser (select2 on Oscar's product lookup).
    steps.goto(reverse("loyalty_dashboard:loyalty-offers-member-prices"))
    assert steps.html_attrs() == (language, "rtl" if language == "he" else "ltr")
    page.click("#loyalty-member-price-form .select2-selection")
    page.fill(".select2-search__field", "Green")
    page.click(".select2-results__option:has-text('Green tea')")
    page.fill("#id_price", "36.50")
    steps.submit("#loyalty-member-price-form button[type=submit]")
    assert member_price(tea) == D("36.50")
    assert "Green tea" in page.inner_text("#loyalty-member-prices")
    steps.shot("chosen")

    # A file with a bad row imports nothing and names the row.
    steps.goto(reverse("loyalty_dashboard:loyalty-offers-member-prices"))
    bad = tmp_path / "bad.csv"
    bad.write_text(f"sku,member_price\n{tea_sku},30\nNO-SUCH-SKU,5\n", encoding="utf-8")
    page.set_input_files("#id_file", str(bad))
    steps.submit("#loyalty-member-price-import button[type=submit]")
    errors = page.inner_text("#loyalty-member-price-errors")
    assert "NO-SUCH-SKU" in errors and "3" in errors
    assert member_price(tea) == D("36.50")
    steps.shot("import-refused")

    # The fixed file imports every row.
    good = tmp_path / "good.csv"
    good.write_text(f"sku,member_price\n{tea_sku},30\n", encoding="utf-8")
    page.set_input_files("#id_file", str(good))
    steps.submit("#loyalty-member-price-import button[type=submit]")
    assert member_price(tea) == D("30.00") and member_price(oil) == D("90.00")
    prices = page.inner_text("#loyalty-member-prices").replace("\u200f", "").replace("\xa0", " ")
    assert ("₪30.00" if language == "en" else "30.00 ₪") in prices  # Babel's order per language
    steps.doc_shot(f"dashboard-member-prices-{language}", full_page=True)


def test_staff_see_a_members_points_balance_on_the_member_page_in_hebrew(steps, store):
    page = steps.page
    page.context.add_cookies([{"name": "django_language", "value": "he", "url": steps.base_url}])
    tier = TierFactory(name="Gold", code="gold", translations={"he": {"name": "זהב"}})
    store["plan"].translations = {"he": {"name": "מועדון הלקוחות"}}
    store["plan"].save()
    member = MemberFactory(
        user=UserFactory(email="yael@example.com", first_name="Yael", last_name="Peretz"),
        plan=store["plan"],
        tier=tier,
    )
    points_services.adjust_points(member, 1250, reason="Goodwill", staff_user=store["staff"])
    log_in(steps, store["staff"].email)
    steps.goto(reverse("loyalty_dashboard:loyalty-member-list"))
    assert "1250" in page.inner_text(".loyalty-points-balance")
    steps.goto(reverse("loyalty_dashboard:loyalty-member-detail", args=[member.pk]))
    assert steps.html_attrs() == ("he", "rtl")
    assert "1250" in page.inner_text("#loyalty-member-points")
    membership = page.inner_text("#loyalty-membership")
    assert "זהב" in membership and "פעיל" in membership and "מועדון הלקוחות" in membership
    steps.doc_shot("dashboard-member-he", full_page=True)
