import csv
import io
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry, PointsPromotion
from tests.apps.points.conftest import credit

pytestmark = pytest.mark.django_db


def staff(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="loyalty_points", codename__in=codenames
        )
    )
    return user


def test_staff_adjust_points_with_a_reason_once_even_if_the_form_is_sent_twice(
    django_app, member, points_settings
):
    user = staff("view_pointsentry", "add_pointsentry")
    url = reverse("loyalty_dashboard:loyalty-points-member", args=[member.pk])
    form = next(f for f in django_app.get(url, user=user).forms.values() if "reason" in f.fields)
    form["points"], form["reason"] = "120", "Lost parcel"
    form.submit(user=user).follow(user=user)
    form.submit(user=user)
    entry = PointsEntry.objects.get()
    assert (entry.points, entry.reason, entry.staff_user) == (120, "Lost parcel", user)
    assert PointsAccount.objects.get(member=member).balance == 120


def test_an_adjustment_without_a_reason_is_refused(django_app, member, points_settings):
    user = staff("view_pointsentry", "add_pointsentry")
    url = reverse("loyalty_dashboard:loyalty-points-member", args=[member.pk])
    form = next(f for f in django_app.get(url, user=user).forms.values() if "reason" in f.fields)
    form["points"], form["reason"] = "50", "   "
    page = form.submit(user=user)
    assert "This field is required." in page.text
    assert not PointsEntry.objects.exists()


def test_viewing_staff_cannot_adjust(django_app, member, points_settings):
    user = staff("view_pointsentry")
    page_url = reverse("loyalty_dashboard:loyalty-points-member", args=[member.pk])
    form = next(
        f for f in django_app.get(page_url, user=user).forms.values() if "reason" in f.fields
    )
    form["points"], form["reason"] = "5", "Goodwill"
    response = form.submit(user=user, expect_errors=True)
    assert response.status_int == 403
    assert not PointsEntry.objects.exists()


def test_staff_create_and_switch_off_a_promotion(django_app, client, points_settings):
    user = staff("view_pointspromotion", "add_pointspromotion", "change_pointspromotion")
    page = django_app.get(reverse("loyalty_dashboard:loyalty-points-promotion-create"), user=user)
    form = next(f for f in page.forms.values() if "multiplier" in f.fields)
    form["name"], form["multiplier"] = "Double weekend", "2"
    form["starts_at"], form["ends_at"] = "2026-01-01T00:00", "2026-01-03T00:00"
    form.submit(user=user).follow(user=user)
    promotion = PointsPromotion.objects.get()
    assert (promotion.multiplier, promotion.is_active) == (D("2.00"), True)
    page = django_app.get(reverse("loyalty_dashboard:loyalty-points-promotion-list"), user=user)
    assert "Double weekend" in page.text
    # One control switches it: the row on Club promotions (with its schedule), not a
    # second button here.
    toggle = reverse("loyalty_dashboard:loyalty-points-promotion-toggle", args=[promotion.pk])
    assert not [f for f in page.forms.values() if f.action == toggle]
    link = page.html.select_one(f'a[href$="#promotion-points-{promotion.pk}"]')
    assert link["href"].startswith(reverse("loyalty_dashboard:loyalty-offers-list"))
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_conditionaloffer", "change_conditionaloffer"]
        )
    )
    club = django_app.get(reverse("loyalty_dashboard:loyalty-offers-list"), user=user)
    assert (
        club.html.select_one(f"#promotion-points-{promotion.pk} input[type=checkbox]")["checked"]
        is not None
    )
    client.force_login(user)
    prefix = f"points-{promotion.pk}"
    state = reverse(
        "loyalty_dashboard:loyalty-offers-promotion-state",
        kwargs={"kind": "points", "pk": promotion.pk},
    )
    assert client.post(state, {f"{prefix}-starts_at": "2026-01-01T00:00"}).status_code == 302
    promotion.refresh_from_db()
    assert promotion.is_active is False


def test_the_ledger_exports_as_csv(django_app, member, points_settings):
    credit(member, 40, reason="=HYPERLINK(evil)")
    user = staff("view_pointsentry")
    response = django_app.get(reverse("loyalty_dashboard:loyalty-points-export"), user=user)
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:5] == ["id", "date", "member", "kind", "points"]
    assert rows[1][2:5] == [member.number, "adjust", "40"]
    assert rows[1][6] == "'=HYPERLINK(evil)"


# A reason is stripped when it is written, so a leading tab or CR never reaches the
# ledger; the other formula starts do.
@pytest.mark.parametrize("reason", ["+cmd|' /C calc'!A0", "@SUM(A1)", "-1+1"])
def test_a_hostile_reason_in_the_ledger_csv_is_written_as_text(django_app, member, reason):
    credit(member, 40, reason=reason)
    user = staff("view_pointsentry")
    response = django_app.get(reverse("loyalty_dashboard:loyalty-points-export"), user=user)
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[1][6] == "'" + reason
