"""Staff create, edit and switch action rules in Oscar's dashboard; the report counts per rule."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.actions import services
from oscar_loyalty.apps.actions.models import ActionRule
from oscar_loyalty.apps.segments.models import Segment
from oscar_loyalty.reporting import Period, get_report
from tests.apps.actions.conftest import ActionRuleFactory
from tests.factories import MemberFactory, TierFactory

pytestmark = pytest.mark.django_db


def staff(*codenames, app="loyalty_actions"):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label=app, codename__in=codenames)
    )
    return user


def test_staff_create_a_rule_with_cap_tiers_and_segment_and_it_is_listed(django_app):
    user = staff("view_actionrule", "add_actionrule")
    gold = TierFactory(name="Gold")
    segment = Segment.objects.create(name="Haifa")
    page = django_app.get(reverse("loyalty_dashboard:loyalty-actions-create"), user=user)
    form = next(f for f in page.forms.values() if "code" in f.fields)
    form["name"], form["kind"], form["code"] = "App download", "custom", "app_download"
    form["points"], form["cap_count"], form["cap_period"] = "70", "1", "ever"
    form["tiers"] = [str(gold.pk)]
    form["segment"] = str(segment.pk)
    listing = form.submit(user=user).follow(user=user)
    rule = ActionRule.objects.get()
    assert (rule.code, rule.points, rule.cap_count, rule.segment_id) == (
        "app_download",
        70,
        1,
        segment.pk,
    )
    assert list(rule.tiers.all()) == [gold]
    assert "App download" in listing.text and "app_download" in listing.text


@pytest.mark.parametrize("code", ["App Download", "הורדה", "app_downloaԁ", "-x"])
def test_a_code_outside_lower_case_ascii_is_refused_by_the_form(django_app, code):
    user = staff("view_actionrule", "add_actionrule")
    page = django_app.get(reverse("loyalty_dashboard:loyalty-actions-create"), user=user)
    form = next(f for f in page.forms.values() if "code" in f.fields)
    form["name"], form["kind"], form["code"], form["points"] = "X", "custom", code, "5"
    form.submit(user=user)
    assert not ActionRule.objects.exists()


def test_a_schedule_that_ends_before_it_starts_is_refused(django_app):
    user = staff("view_actionrule", "add_actionrule")
    page = django_app.get(reverse("loyalty_dashboard:loyalty-actions-create"), user=user)
    form = next(f for f in page.forms.values() if "code" in f.fields)
    form["name"], form["kind"], form["code"], form["points"] = "X", "custom", "x", "5"
    form["starts_at"], form["ends_at"] = "2026-02-01T00:00", "2026-01-01T00:00"
    page = form.submit(user=user)
    assert "The rule must end after it starts." in page.text
    assert not ActionRule.objects.exists()


def test_staff_switch_a_rule_off_and_viewers_cannot(django_app):
    rule = ActionRuleFactory(code="app_download")
    viewer = staff("view_actionrule")
    editor = staff("view_actionrule", "change_actionrule")
    toggle = reverse("loyalty_dashboard:loyalty-actions-toggle", args=[rule.pk])
    list_page = django_app.get(reverse("loyalty_dashboard:loyalty-actions-list"), user=viewer)
    assert "app_download" in list_page.text
    assert django_app.post(toggle, user=viewer, expect_errors=True).status_int == 403
    rule.refresh_from_db()
    assert rule.is_active
    page = django_app.get(reverse("loyalty_dashboard:loyalty-actions-list"), user=editor)
    next(f for f in page.forms.values() if f.action == toggle).submit(user=editor)
    rule.refresh_from_db()
    assert not rule.is_active


def test_staff_without_the_permission_get_403():
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("loyalty_dashboard:loyalty-actions-list"))
    assert response.status_code == 403


def test_the_report_gives_points_issued_taken_back_and_net_per_rule(points_settings):
    download = ActionRuleFactory(name="App download", code="app_download", points=70)
    visit = ActionRuleFactory(name="Store visit", code="store_visit", points=10)
    member = MemberFactory()
    services.record_action(user=member.user, code="app_download", object_key="app")
    for day in ("d1", "d2"):
        services.record_action(user=member.user, code="store_visit", object_key=day)
    services.take_back_action(user=member.user, code="store_visit", object_key="d1")
    today = timezone.localdate()
    rows = get_report("actions").rows(Period(date(today.year, 1, 1), today))
    by_rule = {row["rule"]: row for row in rows}
    assert by_rule[download.name] | {} == {
        "rule": "App download",
        "kind": "Custom action reported by the store",
        "earned": 1,
        "issued": 70,
        "taken_back": 0,
        "net": 70,
    }
    assert (by_rule[visit.name]["issued"], by_rule[visit.name]["taken_back"]) == (20, 10)
    assert by_rule[visit.name]["net"] == 10


def test_the_report_page_renders_for_report_viewers(client, points_settings):
    ActionRuleFactory(name="App download", code="app_download", points=70)
    services.record_action(user=MemberFactory().user, code="app_download", object_key="app")
    client.force_login(staff("view_dailyfigure", app="loyalty_reports"))
    url = reverse("loyalty_dashboard:loyalty-reports-detail", kwargs={"key": "actions"})
    page = client.get(url).content.decode()
    assert "App download" in page
