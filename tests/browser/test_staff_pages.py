"""Staff pages in a real browser, in Hebrew and English: the campaign list leads to the
send page (no Oscar "Sort by" menu in Wagtail), a report chart with whole-number axes, and
the till spending points."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter
from oscar_loyalty.apps.points import services as points
from oscar_loyalty.apps.points.models import PointsAccount
from tests.factories import MemberFactory

from .test_instore_scanner import cashier_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LANGUAGES = ["en", "he"]


def use_language(steps, language: str) -> None:
    steps.page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": steps.base_url}]
    )


def staff_session(steps, user) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    steps.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": steps.base_url}]
    )


def assert_direction(steps, language: str) -> None:
    assert steps.page.locator("html").get_attribute("dir") == (
        "rtl" if language == "he" else "ltr"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_campaign_list_leads_to_the_send_page_without_oscars_sort_menu(steps, language):
    use_language(steps, language)
    editor = UserFactory(is_staff=True, is_superuser=True, email="editor@example.com")
    staff_session(steps, editor)
    newsletter = Newsletter.objects.create(
        title="Autumn", subject="Autumn offers", language="en", live=True
    )
    campaign = Campaign.objects.create(name="Autumn to everyone", newsletter=newsletter)
    page = steps.page

    steps.goto(reverse("loyalty_campaigns:index"))
    assert_direction(steps, language)
    assert page.locator("select[name=sort_by]").count() == 0
    link = page.locator(f"a[data-loyalty-campaign-send='{campaign.pk}']")
    assert link.is_visible()
    steps.doc_shot(f"wagtail-campaign-{language}")
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(reverse("loyalty_campaigns:progress", args=[campaign.pk]))
    assert page.locator("form[action$='/test/'] button[type=submit]").is_visible()
    assert page.locator("form[action$='/send/'] button[type=submit]").is_visible()
    assert page.locator("select[name=sort_by]").count() == 0
    steps.shot("send page")

    # The edit view has the same page as a header button.
    steps.goto(reverse("loyalty_campaigns:edit", args=[campaign.pk]))
    header = page.locator(f"header a[data-loyalty-campaign-send='{campaign.pk}']")
    assert header.is_visible()
    with page.expect_navigation():
        header.click()
    assert page.url.endswith(reverse("loyalty_campaigns:progress", args=[campaign.pk]))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_report_chart_has_whole_number_ticks(steps, language):
    from django.contrib.auth.models import Permission

    from oscar_loyalty.apps.reports.figures import refresh_figures

    use_language(steps, language)
    for _n in range(3):
        MemberFactory()
    refresh_figures(full=True)
    analyst = UserFactory(is_staff=True)
    analyst.user_permissions.add(
        Permission.objects.get(
            codename="view_dailyfigure", content_type__app_label="loyalty_reports"
        )
    )
    staff_session(steps, analyst)
    steps.goto(reverse("loyalty_dashboard:loyalty-reports-detail", kwargs={"key": "members"}))
    assert_direction(steps, language)
    chart = steps.page.locator("svg.loyalty-chart")
    assert chart.is_visible()
    ticks = chart.locator("text[text-anchor=end]").all_text_contents()
    assert ticks[0] == "0" and len(ticks) >= 2
    assert all(re.fullmatch(r"[0-9][0-9,]*", tick) for tick in ticks), ticks
    values = [int(tick.replace(",", "")) for tick in ticks]
    steps_between = {b - a for a, b in zip(values, values[1:], strict=False)}
    assert len(steps_between) == 1, ticks  # evenly spaced
    steps.doc_shot(f"report-{language}", full_page=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_till_spends_points_once_per_receipt(steps, language):
    use_language(steps, language)
    member = MemberFactory(user__first_name="Noa")
    points.adjust_points(member, 1000, reason="Start", staff_user=None)
    cashier_session(steps)
    page = steps.page
    steps.goto(f"{reverse('loyalty_dashboard:loyalty-instore')}?number={member.number}")
    assert_direction(steps, language)
    page.fill("#id_spend_points", "250")
    page.fill("#id_spend_receipt", "T7-0001")
    steps.submit("#loyalty-instore-spend button[type=submit]")
    assert PointsAccount.objects.get(member=member).balance == 750
    assert "750" in page.inner_text("#loyalty-instore-balance")
    assert "2.50" in page.inner_text("body")
    steps.doc_shot(f"till-{language}")

    # The cashier submits the same receipt again: nothing more is taken.
    page.fill("#id_spend_points", "250")
    page.fill("#id_spend_receipt", "T7-0001")
    steps.submit("#loyalty-instore-spend button[type=submit]")
    assert PointsAccount.objects.get(member=member).balance == 750

    # More than the balance: refused, with what is available.
    page.fill("#id_spend_points", "5000")
    page.fill("#id_spend_receipt", "T7-0002")
    steps.submit("#loyalty-instore-spend button[type=submit]")
    assert "750" in page.inner_text(".alert-danger, .alert-error")
    assert PointsAccount.objects.get(member=member).balance == 750
    steps.shot("insufficient")
