from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.newsletter import services
from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter, OutboxMessage
from tests.apps.newsletter.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(
        email="editor@example.com", first_name="Rina", is_staff=True, is_superuser=True
    )


def test_the_preview_shows_the_email_as_html_and_as_plain_text(newsletter, staff, rf):
    request = rf.get("/")
    request.user = staff
    html = newsletter.serve_preview(request, "html").content.decode()
    text = newsletter.serve_preview(request, "text").content.decode()
    assert "Hello Rina," in html and "<h2" in html and "Shop now" in html
    assert "Oscar Loyalty Sandbox Ltd." in html
    assert text.startswith("Subject: פרסומת | November at the club")
    assert "Hello Rina," in text and "Shop now: https://shop.example/" in text
    assert "<" not in text.split("\n\n", 1)[1].replace("<http", "")


def test_a_test_send_goes_to_the_staff_member_only_with_the_draft(newsletter, staff, mailoutbox):
    make_member("dana@example.com")
    newsletter.subject = "Draft subject"
    newsletter.save_revision(user=staff)  # a draft: the row keeps the live version
    assert services.send_test(Newsletter.objects.get(), user=staff)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["editor@example.com"]
    assert mailoutbox[0].subject == "[TEST] פרסומת | Draft subject"
    assert "Hello Rina," in mailoutbox[0].body
    assert not OutboxMessage.objects.exists()


def test_a_scheduled_campaign_goes_out_when_its_time_comes(campaign, mailoutbox):
    make_member("dana@example.com")
    at = timezone.now() + timedelta(hours=2)
    services.schedule_campaign(campaign, at=at)
    assert Campaign.objects.get().status == Campaign.SCHEDULED

    services.run_due(now=at - timedelta(minutes=1))
    assert mailoutbox == []
    services.run_due(now=at + timedelta(minutes=1))
    assert [m.to for m in mailoutbox] == [["dana@example.com"]]
    assert Campaign.objects.get().status == Campaign.DONE
    services.run_due(now=at + timedelta(minutes=2))
    assert len(mailoutbox) == 1


def test_the_periodic_command_drains_queued_campaigns(campaign, mailoutbox):
    from django.core.management import call_command

    make_member("dana@example.com")
    from oscar_loyalty.apps.newsletter import fanout

    fanout.fan_out(campaign)
    call_command("loyalty_send_newsletters")
    assert len(mailoutbox) == 1


def test_the_newsletter_editor_and_campaign_pages_load_in_the_wagtail_admin(
    client, staff, newsletter, campaign
):
    client.force_login(staff)
    for url in (
        reverse("wagtailsnippets_loyalty_newsletter_newsletter:list"),
        reverse("wagtailsnippets_loyalty_newsletter_newsletter:add"),
        reverse("wagtailsnippets_loyalty_newsletter_newsletter:edit", args=[newsletter.pk]),
        reverse("loyalty_campaigns:index"),
        reverse("loyalty_campaigns:add"),
        reverse("loyalty_campaigns:progress", args=[campaign.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_a_product_block_refuses_an_unknown_product():
    from django.core.exceptions import ValidationError

    from oscar_loyalty.apps.newsletter.blocks import ProductBlock

    block = ProductBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"product": 999999, "text": ""}))
