"""Staff in a real browser: Oscar's dashboard for the club, Wagtail for newsletters."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter
from oscar_loyalty.apps.points.models import PointsEntry, PointsPromotion
from tests.factories import MemberFactory, PointsPromotionFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def log_in(steps, email: str) -> None:
    steps.goto(reverse("customer:login"))
    steps.page.fill("#id_login-username", email)
    steps.page.fill("#id_login-password", PASSWORD)
    steps.submit("button[name=login_submit]")


@pytest.mark.parametrize("language", ["en", "he"])
def test_staff_find_a_member_adjust_points_switch_a_promotion_and_test_a_newsletter(
    steps, store, language
):
    page = steps.page
    # The language Django's switch would set (the shopper test clicks the switch itself).
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": steps.base_url}]
    )
    member = MemberFactory(
        user=UserFactory(email="yael@example.com", first_name="Yael", last_name="Peretz"),
        plan=store["plan"],
    )
    MemberFactory(user=UserFactory(email="other@example.com"), plan=store["plan"])
    promotion = PointsPromotionFactory(name="Double points week")
    log_in(steps, store["staff"].email)

    # Find the member by part of the email address.
    steps.goto(reverse("loyalty_dashboard:loyalty-member-list"))
    page.fill("#loyalty_member_search input[name=q]", "yael@")
    steps.submit("#loyalty_member_search button[type=submit]")
    assert steps.html_attrs() == (language, "rtl" if language == "he" else "ltr")
    table = page.locator("table").last
    assert "yael@example.com" in table.inner_text()
    assert "other@example.com" not in table.inner_text()
    steps.shot("member-search")
    steps.submit(
        f"a[href='{reverse('loyalty_dashboard:loyalty-member-detail', args=[member.pk])}']"
    )
    assert member.formatted_number in page.inner_text("body")
    steps.shot("member-detail")

    # Adjust points, with the reason recorded in the ledger.
    steps.submit(
        f"a[href='{reverse('loyalty_dashboard:loyalty-points-member', args=[member.pk])}']"
    )
    page.fill("#id_points", "250")
    page.fill("#id_reason", "Goodwill: late delivery")
    steps.shot("adjust-points")
    steps.submit("form[action$='/points/adjust/'] button[type=submit]")
    assert "Goodwill: late delivery" in page.inner_text("#loyalty-points-ledger")
    assert "250" in page.inner_text("#loyalty-points-account")
    entry = PointsEntry.objects.get(account__member=member, kind=PointsEntry.ADJUST)
    assert (entry.points, entry.reason, entry.staff_user) == (
        250,
        "Goodwill: late delivery",
        store["staff"],
    )
    steps.shot("points-adjusted")

    # Switch a promotion off, then on again.
    steps.goto(reverse("loyalty_dashboard:loyalty-offers-list"))
    row = f"#promotion-points-{promotion.pk}"
    checkbox = f"#id_points-{promotion.pk}-is_on"
    assert page.is_checked(checkbox)
    page.uncheck(checkbox)
    steps.submit(f"{row} button[type=submit]")
    assert not PointsPromotion.objects.get(pk=promotion.pk).is_active
    assert not page.is_checked(checkbox)
    steps.shot("promotion-off")
    page.check(checkbox)
    steps.submit(f"{row} button[type=submit]")
    assert PointsPromotion.objects.get(pk=promotion.pk).is_active
    assert page.is_checked(checkbox)
    steps.shot("promotion-on")

    # Write a newsletter in Wagtail, preview it, send a test to oneself.
    steps.goto("/cms/snippets/loyalty_newsletter/newsletter/add/")
    page.fill("#id_title", "Autumn 2026")
    page.fill("#id_subject", "Autumn offers for members")
    page.fill("#id_preheader", "Twice the points all week")
    steps.shot("newsletter-write")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "he" else "ltr")
    with page.expect_navigation():
        page.click("button.action-save")  # "Save draft"
    newsletter = Newsletter.objects.get(title="Autumn 2026")
    steps.shot("newsletter-saved")

    steps.goto(f"/cms/snippets/loyalty_newsletter/newsletter/edit/{newsletter.pk}/")
    page.click("[data-side-panel-toggle='preview']")
    preview = page.frame_locator("iframe#w-preview-iframe, .preview-panel iframe").first
    preview.locator("text=This is an advertisement.").wait_for()
    assert "Admin" in preview.locator("body").inner_text()
    steps.shot("newsletter-preview")

    steps.goto("/cms/loyalty_campaigns/new/")
    page.fill("#id_name", "Autumn to everyone")
    page.select_option("#id_newsletter", str(newsletter.pk))
    with page.expect_navigation():
        page.click("form button[type=submit][data-w-kbd-key-value='mod+s']")  # "Create"
    campaign = Campaign.objects.get(name="Autumn to everyone")
    steps.goto(f"/cms/loyalty_campaigns/{campaign.pk}/progress/")
    steps.shot("campaign")
    before = len(mail.outbox)
    steps.submit("form[action$='/test/'] button[type=submit]")
    assert "admin@example.com" in page.inner_text("body")
    [test_email] = mail.outbox[before:]
    assert test_email.to == ["admin@example.com"]
    assert test_email.subject.startswith("[TEST]") and "Autumn offers for members" in (
        test_email.subject
    )
    campaign.refresh_from_db()
    assert campaign.status == Campaign.DRAFT  # a test sends nothing to members
    steps.shot("test-sent")
