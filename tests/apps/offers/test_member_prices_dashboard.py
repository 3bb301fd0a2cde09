"""Member prices in Oscar's dashboard: the product chooser, the CSV import, the product's tab."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import PartnerFactory, StockRecordFactory, UserFactory, create_product

from oscar_loyalty import csvfiles
from oscar_loyalty.apps.offers import member_prices
from oscar_loyalty.apps.offers.models import MemberPrice
from oscar_loyalty.apps.offers.pricing import PriceBookVersion
from oscar_loyalty.apps.segments.models import Segment

pytestmark = pytest.mark.django_db
PAGE = "loyalty_dashboard:loyalty-offers-member-prices"
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def products():
    tea = create_product(title="Green tea", upc="7290000001", partner_sku="TEA-1", price=D("20"))
    oil = create_product(title="Olive oil", upc="7290000002", partner_sku="OIL-1", price=D("45"))
    return tea, oil


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def csv_file(text: str, name="prices.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def price_of(product) -> D | None:
    row = MemberPrice.objects.filter(stockrecord__product=product).first()
    return row.price if row else None


def test_an_import_sets_prices_by_sku_or_upc_and_an_empty_price_removes_one(products):
    tea, oil = products
    version = PriceBookVersion.objects.get(pk=1).token if PriceBookVersion.objects.exists() else ""
    result = member_prices.import_member_prices(
        [
            {"sku": "TEA-1", "upc": "", "member_price": "17.90"},
            {"sku": "", "upc": "7290000002", "member_price": "39,50"},
        ]
    )
    assert (result.created, result.updated, result.removed) == (2, 0, 0)
    assert (price_of(tea), price_of(oil)) == (D("17.90"), D("39.50"))
    assert PriceBookVersion.objects.get(pk=1).token != version  # every process reprices
    result = member_prices.import_member_prices(
        [{"sku": "TEA-1", "member_price": "16"}, {"sku": "OIL-1", "member_price": ""}]
    )
    assert (result.created, result.updated, result.removed) == (0, 1, 1)
    assert (price_of(tea), price_of(oil)) == (D("16.00"), None)


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(products):
    tea, _oil = products
    rows = [
        {"sku": "TEA-1", "member_price": "15"},  # line 2: good
        {"sku": "NOPE", "member_price": "10"},  # line 3
        {"sku": "OIL-1", "member_price": "abc"},  # line 4
        {"sku": "OIL-1", "member_price": "-1"},  # line 5
        {"sku": "", "member_price": "3"},  # line 6
        {"sku": "TEA-1", "member_price": "14"},  # line 7: the same stock record again
        {"sku": "OIL-1", "member_price": "1.999"},  # line 8
    ]
    with pytest.raises(member_prices.MemberPriceImportError) as raised:
        member_prices.import_member_prices(rows)
    errors = {error.line: error.message for error in raised.value.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8]
    assert "NOPE" in errors[3] and "not a price" in errors[4] and "below zero" in errors[5]
    assert "line 2" in errors[7]
    assert not MemberPrice.objects.exists()


def test_a_sku_two_partners_share_must_be_given_by_upc(products):
    tea, _oil = products
    StockRecordFactory(product=tea, partner=PartnerFactory(name="Other"), partner_sku="TEA-1")
    with pytest.raises(member_prices.MemberPriceImportError) as raised:
        member_prices.import_member_prices([{"sku": "TEA-1", "member_price": "15"}])
    assert "UPC" in raised.value.errors[0].message
    member_prices.import_member_prices([{"upc": "7290000001", "member_price": "15"}])
    assert MemberPrice.objects.filter(price=D("15")).count() == 2  # each of its stock records


def test_an_import_never_turns_a_segments_price_into_everyones(products):
    tea, _oil = products
    segment = Segment.objects.create(name="VIP")
    member_prices.set_member_price(tea, D("12"), segment=segment)
    with pytest.raises(member_prices.MemberPriceImportError) as raised:
        member_prices.import_member_prices([{"sku": "TEA-1", "member_price": "15"}])
    assert "VIP" in raised.value.errors[0].message
    assert MemberPrice.objects.get().segment == segment


def test_a_file_from_a_hebrew_excel_with_semicolons_and_a_bom_is_read():
    upload = io.BytesIO("\ufeffSKU;Member_Price\nTEA-1;17,90\n\n".encode())
    assert csvfiles.read_upload(upload) == [{"sku": "TEA-1", "member_price": "17,90"}]
    with pytest.raises(csvfiles.UploadError):
        csvfiles.read_upload(io.BytesIO("sku,member_price\nתה,1\n".encode("cp1255")))


def test_staff_pick_a_product_with_oscars_chooser_and_set_its_member_price(staff, products):
    tea, _oil = products
    page = staff.get(reverse(PAGE), {"product": tea.pk}).content.decode()
    # Oscar's select2 product chooser, on Oscar's own lookup view, the product picked.
    assert f'data-ajax-url="{reverse("dashboard:catalogue-product-lookup")}"' in page
    assert f'<option value="{tea.pk}" selected>' in page
    response = staff.post(
        reverse("loyalty_dashboard:loyalty-offers-member-prices-set"),
        {"product": tea.pk, "price": "18.50"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"?product={tea.pk}")
    assert price_of(tea) == D("18.50")
    listed = staff.get(response["Location"]).content.decode()
    assert "Green tea" in listed and "₪18.50" in listed and "Olive oil" not in listed


def test_staff_import_a_csv_file_from_the_page(staff, products):
    tea, oil = products
    response = staff.post(
        reverse("loyalty_dashboard:loyalty-offers-member-prices-import"),
        {"file": csv_file("sku,upc,member_price\nTEA-1,,17.90\n,7290000002,39.50\n")},
    )
    assert response.status_code == 302
    assert (price_of(tea), price_of(oil)) == (D("17.90"), D("39.50"))


def test_a_bad_file_shows_each_row_to_fix_and_imports_nothing(staff, products):
    response = staff.post(
        reverse("loyalty_dashboard:loyalty-offers-member-prices-import"),
        {"file": csv_file("sku,member_price\nTEA-1,17.90\nNOPE,3\nOIL-1,x\n")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    table = html.split('id="loyalty-member-price-errors"')[1].split("</table>")[0]
    assert "<td>3</td>" in table and "NOPE" in table and "<td>4</td>" in table
    assert "Nothing was imported: 2 rows need fixing." in html
    assert not MemberPrice.objects.exists()


def test_the_export_is_a_file_the_import_reads_back(staff, products):
    tea, _oil = products
    member_prices.set_member_price(tea, D("17.90"))
    response = staff.get(reverse("loyalty_dashboard:loyalty-offers-member-prices-export"))
    rows = csvfiles.read_upload(io.BytesIO(response.content))
    assert rows == [
        {"sku": "TEA-1", "upc": "7290000001", "member_price": "17.90", "product": "Green tea"}
    ]
    assert member_prices.import_member_prices(rows).updated == 0


def test_staff_remove_a_member_price(staff, products):
    tea, _oil = products
    [price] = member_prices.set_member_price(tea, D("17.90"))
    url = reverse("loyalty_dashboard:loyalty-offers-member-prices-remove", args=[price.pk])
    assert staff.post(url).status_code == 302
    assert not MemberPrice.objects.exists()


def test_oscars_product_page_has_a_member_prices_tab(staff, products):
    tea, _oil = products
    member_prices.set_member_price(tea, D("17.90"))
    html = staff.get(reverse("dashboard:catalogue-product", args=[tea.pk])).content.decode()
    assert 'id="loyalty-member-prices-tab"' in html
    pane = html.split('id="loyalty_member_prices"')[1]
    assert "₪17.90" in pane
    assert f"{reverse(PAGE)}?product={tea.pk}" in pane


def test_only_staff_with_the_member_price_permissions_may_change_them(client, products):
    tea, _oil = products
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename="view_memberprice"))
    client.force_login(user)
    assert client.get(reverse(PAGE)).status_code == 200
    response = client.post(
        reverse("loyalty_dashboard:loyalty-offers-member-prices-set"),
        {"product": tea.pk, "price": "1"},
    )
    assert response.status_code == 403
    client.force_login(UserFactory(is_staff=False))
    assert client.get(reverse(PAGE)).status_code in (302, 403)
    assert not MemberPrice.objects.exists()


@pytest.mark.parametrize("bad", ["gold", "²", "9" * 30, ""])
def test_a_product_that_is_not_an_id_is_a_form_error_not_a_crash(staff, products, bad):
    response = staff.post(
        reverse("loyalty_dashboard:loyalty-offers-member-prices-set"),
        {"product": bad, "price": "1"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["product"]
    assert not MemberPrice.objects.exists()
