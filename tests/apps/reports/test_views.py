import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.reports.registry import all_reports

pytestmark = pytest.mark.django_db

Q1 = {"start": "2025-01-01", "end": "2025-03-31", "interval": "month"}


@pytest.fixture
def analyst(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(
            codename="view_dailyfigure", content_type__app_label="loyalty_reports"
        )
    )
    client.force_login(user)
    return user


def url(key=None):
    if key is None:
        return reverse("loyalty_dashboard:loyalty-reports-index")
    return reverse("loyalty_dashboard:loyalty-reports-detail", kwargs={"key": key})


def test_staff_without_the_reports_permission_get_403(client, club):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url()).status_code == 403
    assert client.get(url("points"), Q1).status_code == 403
    assert client.get(url("points"), {**Q1, "format": "csv"}).status_code == 403


def test_the_index_lists_every_report(client, analyst):
    page = client.get(url()).content.decode()
    for report in all_reports():
        assert url(report.key) in page


def test_every_report_renders_with_its_chart_table_and_csv_link(client, analyst, club):
    for report in all_reports():
        response = client.get(url(report.key), Q1)
        assert response.status_code == 200, report.key
        page = response.content.decode()
        assert 'id="loyalty-report-table"' in page
        assert "format=csv" in page


def test_the_svg_chart_carries_the_data_values(client, analyst, club):
    page = client.get(url("members"), Q1).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert 'role="img"' in page
    assert "Members at end, 2025-02: 3" in page
    assert "Active members, 2025-01: 2" in page


def test_the_csv_has_the_report_columns_and_rows(client, analyst, club):
    response = client.get(url("points"), {**Q1, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "points-20250101-20250331.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "period",
        "issued",
        "redeemed",
        "expired",
        "taken_back",
        "outstanding",
        "liability",
    ]
    assert rows[1:] == [
        ["2025-01-01", "1600", "0", "0", "0", "1600", "16.00"],
        ["2025-02-01", "0", "300", "0", "0", "1300", "13.00"],
        ["2025-03-01", "0", "0", "800", "0", "500", "5.00"],
    ]


def test_the_csv_writes_rates_as_fractions(client, analyst, club):
    response = client.get(url("breakage"), {**Q1, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[2][3] == "0.0" and rows[3][3] == "1.0"


@pytest.mark.parametrize("name", ["\r=1+1", "\t@SUM(A1)", "+972 cmd", "-1+1"])
def test_a_hostile_tier_name_in_a_report_csv_is_written_as_text(client, analyst, club, name):
    club["silver"].name = name
    club["silver"].save()
    response = client.get(url("tiers"), {**Q1, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "'" + name in [row[0] for row in rows[1:]]


def test_a_reversed_range_is_refused_without_computing(client, analyst, club):
    response = client.get(url("members"), {"start": "2025-03-01", "end": "2025-01-01"})
    assert response.status_code == 200
    assert "must not be after" in response.content.decode()
    assert response.context["table"] == []


def test_an_unknown_report_is_404(client, analyst):
    assert client.get(url("nope")).status_code == 404
