import json

import pytest
from django.urls import reverse

from oscar_loyalty.apps.privacy import registry

pytestmark = pytest.mark.django_db

EVERY_SECTION = {
    "account",
    "addresses",
    "orders",
    "baskets",
    "wishlists",
    "reviews",
    "product_alerts",
    "emails",
    "notifications",
    "browsing",
    "bankcards",
    "membership",
    "consent",
    "points",
    "offers",
    "referrals",
    "newsletter",
    "journey",
}


def download(client):
    response = client.get(reverse("loyalty:privacy-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    return json.loads(response.content)


def test_the_export_has_a_section_for_every_app(full_member):
    data = download(full_member.client)
    assert data["format"] == "oscar-loyalty-export/1"
    assert set(data["sections"]) >= EVERY_SECTION


def test_the_export_holds_the_members_data_from_every_app(full_member):
    person, member, order = full_member.person, full_member.member, full_member.order
    sections = download(full_member.client)["sections"]

    account = sections["account"]
    assert (account["email"], account["first_name"]) == (person.email, person.first_name)
    assert "password" not in account
    assert sections["addresses"][0]["phone_number"] == person.phone

    (exported_order,) = sections["orders"]
    assert exported_order["number"] == order.number
    assert exported_order["total_incl_tax"] == str(order.total_incl_tax)
    assert exported_order["lines"][0]["title"] == "Clay mug"
    assert exported_order["shipping_address"]["line1"] == person.street
    assert sections["baskets"][0]["lines"][0]["quantity"] == 1
    assert sections["wishlists"][0]["name"] == f"{person.first_name}'s kitchen"
    assert sections["reviews"]["reviews"][0]["body"].endswith(person.city)
    assert len(sections["product_alerts"]) == 1
    assert any(email["subject"] == "Hello" for email in sections["emails"])
    assert sections["notifications"][0]["subject"] == f"Hi {person.first_name}"
    assert sections["browsing"]["UserSearch"][0]["query"] == f"{person.last_name} mug"

    membership = sections["membership"]
    assert membership["number"] == member.number
    assert (membership["city"], membership["business_name"]) == (person.city, person.business)
    assert membership["plan"] == "Club" and membership["terms"]

    records = sections["consent"]["records"]
    assert {r["channel"] for r in records} == {"email", "sms"}
    assert {r["ip_address"] for r in records} == {person.ip}
    assert records[0]["wording_text"]
    assert {s["status"] for s in sections["consent"]["current"]} >= {"granted"}

    points = sections["points"]
    assert points["account"]["balance"] == 50
    assert {e["kind"] for e in points["entries"]} == {"adjust"}
    assert points["lots"][0]["points"] == 50
    assert points["earnings"][0]["order_id"] == order.pk
    assert points["earnings"][0]["lines"]

    offers = sections["offers"]
    assert offers["gifts"][0]["voucher"]["code"] == "WELCOME-ZYL"
    assert offers["draw_entries"] == [{"draw": "Spring draw", "drawn_at": None, "tickets": 2}]

    referrals = sections["referrals"]
    assert referrals["code"] and referrals["share_link_visits"] == 1
    assert referrals["referred_by"]["signals"]
    assert "referrer_id" not in referrals["referred_by"]  # the friend is someone else

    assert sections["newsletter"]["messages"][0]["campaign"] == "March send"
    assert sections["journey"]["firsttouch"][0]["utm_source"] == "newsletter"
    assert sections["journey"]["orderchannel"][0]["order_id"] == order.pk


def test_the_export_needs_a_login(client, full_member):
    response = client.get(reverse("loyalty:privacy-export"))
    assert response.status_code == 302
    assert reverse("customer:login") in response["Location"]


def test_a_store_app_adds_its_own_section(full_member):
    registry.register_section("store_extra", exporter=lambda subject: {"id": subject.user.pk})
    try:
        sections = download(full_member.client)["sections"]
    finally:
        registry._sections.pop("store_extra")
    assert sections["store_extra"] == {"id": full_member.user.pk}


def test_the_account_pages_link_to_the_privacy_page(full_member):
    page = full_member.client.get(reverse("loyalty:privacy"))
    assert page.status_code == 200
    assert reverse("loyalty:privacy-export").encode() in page.content
    profile = full_member.client.get(reverse("customer:profile-view"))
    assert reverse("loyalty:privacy").encode() in profile.content


def test_the_export_lists_earning_and_spending_at_partner_businesses(full_member):
    from oscar_loyalty.apps.partners import services as partners
    from tests.apps.partners.conftest import PartnerFactory

    partner = PartnerFactory(name="Fuel Station", slug="fuel")
    partners.earn_points(
        partner,
        {
            "card": full_member.member.number,
            "amount": "120.00",
            "reference": "R-77",
            "idempotency_key": "privacy-export-1",
        },
    )
    (transaction,) = download(full_member.client)["sections"]["partners"]
    assert (transaction["partner"], transaction["kind"]) == ("Fuel Station", "earn")
    assert (transaction["amount"], transaction["reference"]) == ("120.00", "R-77")
