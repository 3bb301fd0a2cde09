"""Staff pages: partner credentials shown once, settlement figures and CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.partners import services, settlement
from oscar_loyalty.apps.partners.models import Partner
from oscar_loyalty.apps.partners.signing import partner_secret
from tests.apps.partners.conftest import PartnerFactory, grant

pytestmark = pytest.mark.django_db


def staff(*codenames):
    return grant(UserFactory(is_staff=True), *codenames)


def at(day: int, hour: int = 12):
    return timezone.make_aware(datetime(2026, 3, day, hour))


@pytest.fixture
def march(partner, member):
    """Earns, burns and reversals in March (and one in April, outside the period)."""
    card = {"card": member.number}
    e1 = services.earn_points(
        partner, {**card, "amount": "100.00", "idempotency_key": "m-earn-01"}, now=at(2)
    ).transaction  # 200 points, value 6.00
    services.earn_points(
        partner, {**card, "amount": "50.00", "idempotency_key": "m-earn-02"}, now=at(3)
    )  # 100 points, value 3.00
    b1 = services.burn_points(
        partner, {**card, "points": 400, "idempotency_key": "m-burn-01"}, now=at(4)
    ).transaction  # 20.00 off
    services.burn_points(
        partner, {**card, "points": 100, "idempotency_key": "m-burn-02"}, now=at(5)
    )
    services.reverse_transaction(partner, e1.public_id, {"idempotency_key": "m-rev-01"}, now=at(6))
    services.reverse_transaction(partner, b1.public_id, {"idempotency_key": "m-rev-02"}, now=at(7))
    services.earn_points(
        partner,
        {**card, "amount": "10.00", "idempotency_key": "a-earn-01"},
        now=timezone.make_aware(datetime(2026, 4, 1, 0, 30)),
    )
    return partner


def test_settlement_counts_issued_and_redeemed_points_and_the_money_both_ways(march):
    report = settlement.settle(march, datetime(2026, 3, 1).date(), datetime(2026, 3, 31).date())
    assert (report.points_issued, report.points_issued_reversed) == (300, 200)
    assert (report.points_redeemed, report.points_redeemed_reversed) == (500, 400)
    assert report.purchases == D("50.00")
    assert report.partner_owes == D("3.00")  # (300 - 200) x 0.03
    assert report.club_owes == D("5.00")  # 100 points burned x 0.05
    assert report.net == D("-2.00")  # the club pays the partner 2.00
    assert report.transactions == 6


def test_staff_download_the_settlement_as_csv(client, march):
    client.force_login(staff("view_partner"))
    url = reverse("loyalty_dashboard:loyalty-partners-settlement", args=[march.pk])
    page = client.get(url, {"start": "2026-03-01", "end": "2026-03-31"})
    assert page.status_code == 200
    assert "The club pays the partner" in page.content.decode()
    response = client.get(url, {"start": "2026-03-01", "end": "2026-03-31", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["date", "transaction", "kind"]
    body = [row for row in rows[1:] if row and row[0] != "total"]
    assert [row[2] for row in body] == ["earn", "earn", "burn", "burn", "reversal", "reversal"]
    totals = {row[1]: row[2] for row in rows if row and row[0] == "total"}
    assert totals["partner_owes_club"] == "3.00"
    assert totals["club_owes_partner"] == "5.00"
    assert totals["net_partner_pays"] == "-2.00"


def test_hostile_text_in_the_settlement_csv_is_written_as_text(client, partner, member):
    partner.name = "\t=HYPERLINK(evil)"
    partner.save()
    card = {"card": member.number, "amount": "10.00", "reference": "@SUM(A1)"}
    services.earn_points(partner, {**card, "idempotency_key": "hostile-1"}, now=at(2))
    client.force_login(staff("view_partner"))
    url = reverse("loyalty_dashboard:loyalty-partners-settlement", args=[partner.pk])
    response = client.get(url, {"start": "2026-03-01", "end": "2026-03-31", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][5] == "'@SUM(A1)"
    totals = {row[1]: row[2] for row in rows if row and row[0] == "total"}
    assert totals["partner"] == "'\t=HYPERLINK(evil)"
    assert totals["net_partner_pays"] == "0.60"


def test_a_settlement_period_that_ends_before_it_starts_is_refused(client, partner):
    client.force_login(staff("view_partner"))
    url = reverse("loyalty_dashboard:loyalty-partners-settlement", args=[partner.pk])
    page = client.get(url, {"start": "2026-03-10", "end": "2026-03-01"})
    assert "The period must end on or after its start." in page.content.decode()


def test_staff_without_the_permission_get_403(client, partner):
    client.force_login(staff())
    for name, args in [
        ("loyalty-partners-list", []),
        ("loyalty-partners-settlement", [partner.pk]),
        ("loyalty-partners-create", []),
    ]:
        assert client.get(reverse(f"loyalty_dashboard:{name}", args=args)).status_code == 403
    client.force_login(staff("view_partner"))
    url = reverse("loyalty_dashboard:loyalty-partners-rotate", args=[partner.pk])
    assert client.post(url).status_code == 403


def test_creating_a_partner_shows_its_secret_once(client):
    client.force_login(staff("view_partner", "add_partner"))
    response = client.post(
        reverse("loyalty_dashboard:loyalty-partners-create"),
        {
            "name": "Supermarket",
            "slug": "supermarket",
            "is_active": "on",
            "earn_rate": "1",
            "burn_rate": "0.01",
            "issue_price": "0.008",
            "daily_earn_cap": "100000",
        },
    )
    partner = Partner.objects.get(slug="supermarket")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert partner_secret(partner) in response.content.decode()
    assert partner.key_id in response.content.decode()
    listing = client.get(reverse("loyalty_dashboard:loyalty-partners-list"))
    assert partner.key_id in listing.content.decode()
    assert partner_secret(partner) not in listing.content.decode()


def test_rotating_credentials_shows_a_new_secret_and_the_old_one_stops_working(client):
    partner = PartnerFactory()
    old = partner_secret(partner)
    client.force_login(staff("view_partner", "change_partner"))
    response = client.post(reverse("loyalty_dashboard:loyalty-partners-rotate", args=[partner.pk]))
    partner.refresh_from_db()
    new = partner_secret(partner)
    assert new != old
    assert new in response.content.decode() and old not in response.content.decode()
