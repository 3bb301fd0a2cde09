from decimal import Decimal as D

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.test import Client
from django.urls import reverse
from oscar.test.factories import CategoryFactory

from oscar_loyalty import exceptions
from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState, Suppression
from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter, OutboxMessage
from oscar_loyalty.apps.segments.services import save_segment
from oscar_loyalty.exceptions import CampaignAlreadySent, EmptyAudience
from tests.apps.newsletter.conftest import make_member

pytestmark = pytest.mark.django_db


def test_a_consenting_member_gets_a_personalised_newsletter_and_a_non_consenting_one_nothing(
    campaign, gold, shoes, boots, send_now, mailoutbox
):
    dana = make_member(
        "dana@example.com", first_name="Dana", tier=gold, interests=[shoes], budget_max=200
    )
    make_member("noam@example.com", consenting=False, first_name="Noam")

    assert send_now(campaign) == 1

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    params = message.anymail_test_params
    assert params["is_batch_send"] and message.to == ["dana@example.com"]
    assert message.subject.startswith("פרסומת")
    values = params["merge_data"]["dana@example.com"]
    assert values["first_name"] == "Dana" and values["tier"] == "Gold"
    assert values["points_line"] == "You have 0 club points."
    # The greeting reads as sentences ("Gold You have..." before issue #20).
    assert values["tier_line"] == "You are a Gold member of the club."
    assert "Desert boots" in values["recommendation"]
    html = message.alternatives[0][0]
    assert "{{first_name}}" in html and "{{recommendation}}" in html
    assert "{{tier_line}} {{points_line}}" in html and "{{tier}} {{points_line}}" not in html
    assert "Oscar Loyalty Sandbox Ltd." in html and "{{unsubscribe_url}}" in html
    assert 'href="http://127.0.0.1:8000/catalogue/"' in html  # rich-text links made absolute
    assert "{{first_name_text}}" in message.body
    assert params["extra_headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert params["merge_metadata"]["dana@example.com"]["campaign"] == str(campaign.pk)
    assert OutboxMessage.objects.get().status == OutboxMessage.SENT
    assert Campaign.objects.get().status == Campaign.DONE

    # The one-click URL in the header works, without cookies or login.
    header = params["merge_headers"]["dana@example.com"]["List-Unsubscribe"]
    path = header.strip("<>").split("127.0.0.1:8000", 1)[1]
    assert Client(enforce_csrf_checks=True).post(path).status_code == 200
    state = ConsentState.objects.get(user=dana.user)
    assert state.status == ConsentState.WITHDRAWN
    assert state.last_record.evidence["message"].startswith(f"campaign:{campaign.pk}/outbox:")


def test_the_audience_is_the_segment_with_consent_minus_suppressions(
    campaign, gold, shoes, send_now, mailoutbox
):
    make_member("in@example.com", tier=gold, interests=[shoes])
    make_member("other-tier@example.com", interests=[shoes])
    make_member("other-interest@example.com", tier=gold, interests=[CategoryFactory()])
    make_member("no-consent@example.com", consenting=False, tier=gold, interests=[shoes])
    make_member("bounced@example.com", tier=gold, interests=[shoes])
    consent.suppress("Bounced@example.com", scope="all", reason=Suppression.HARD_BOUNCE)
    pending = make_member("pending@example.com", consenting=False, tier=gold, interests=[shoes])
    consent.record_consent(
        pending.user, purpose="marketing", channel="email", action="grant", source="join"
    )
    campaign.segment = save_segment(
        name="Gold shoe lovers",
        rules={
            "op": "and",
            "rules": [
                {"type": "tier", "params": {"tiers": [gold.pk]}},
                {"type": "interests", "params": {"categories": [shoes.pk]}},
            ],
        },
    )
    campaign.save()

    assert send_now(campaign) == 1
    assert mailoutbox[0].to == ["in@example.com"]


def test_two_accounts_with_one_address_get_one_message(campaign, send_now, mailoutbox):
    make_member("same@example.com")
    make_member("SAME@example.com")
    assert send_now(campaign) == 1
    assert mailoutbox[0].to == ["same@example.com"]


def test_sending_a_campaign_twice_sends_nothing_twice(campaign, send_now, mailoutbox):
    make_member("dana@example.com")
    send_now(campaign)
    with pytest.raises(CampaignAlreadySent):
        send_now(campaign)
    sending.process_campaign(campaign.pk)
    assert len(mailoutbox) == 1 and OutboxMessage.objects.count() == 1


def test_an_empty_audience_is_refused_and_nothing_changes(campaign, send_now, mailoutbox):
    make_member("noam@example.com", consenting=False)
    with pytest.raises(EmptyAudience, match="Nobody in this audience"):
        send_now(campaign)
    assert Campaign.objects.get().status == Campaign.DRAFT
    assert not OutboxMessage.objects.exists() and mailoutbox == []


def test_an_unpublished_newsletter_cannot_be_sent(campaign, send_now):
    make_member("dana@example.com")
    Newsletter.objects.filter(pk=campaign.newsletter_id).update(live=False)
    with pytest.raises(exceptions.NewsletterNotPublished):
        send_now(campaign)


def test_consent_is_checked_again_at_send_time(campaign, mailoutbox):
    dana = make_member("dana@example.com")
    noam = make_member("noam@example.com")
    fanout.fan_out(campaign)
    consent.withdraw_consent(dana.user, source=ConsentRecord.SOURCE_ONE_CLICK)
    consent.suppress("noam@example.com", scope="marketing", reason=Suppression.COMPLAINT)
    assert noam  # both were in the audience when the rows were made
    sending.process_campaign(campaign.pk)
    assert mailoutbox == []
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.SKIPPED}


def test_each_chunk_is_one_batch_sized_by_the_esp_limit(campaign, settings, mailoutbox):
    settings.OSCAR_LOYALTY_ESP_BATCH_LIMITS = {"test": 2}
    for n in range(5):
        make_member(f"m{n}@example.com")
    fanout.fan_out(campaign)
    totals = sending.process_campaign(campaign.pk)
    assert totals["chunks"] == 3 and totals["sent"] == 5
    assert [len(m.to) for m in mailoutbox] == [2, 2, 1]
    assert sorted(a for m in mailoutbox for a in m.to) == [f"m{n}@example.com" for n in range(5)]


def test_members_get_the_version_in_their_language(campaign, newsletter, mailoutbox):
    Newsletter.objects.create(
        title="נובמבר", subject="נובמבר במועדון", language="he", live=True,
        translation_of=newsletter, body=[("heading", "הסתיו כאן")],
    )  # fmt: skip
    make_member("dana@example.com", language="he")
    make_member("john@example.com", language="en")
    fanout.fan_out(campaign)
    sending.process_campaign(campaign.pk)
    by_to = {m.to[0]: m for m in mailoutbox}
    assert len(mailoutbox) == 2
    assert by_to["dana@example.com"].subject == "פרסומת | נובמבר במועדון"
    assert 'dir="rtl"' in by_to["dana@example.com"].alternatives[0][0]
    assert by_to["john@example.com"].subject == "פרסומת | November at the club"


def test_two_workers_never_claim_the_same_rows(campaign):
    for n in range(5):
        make_member(f"m{n}@example.com")
    fanout.fan_out(campaign)
    first = sending.claim_chunk(campaign.pk, size=3)
    second = sending.claim_chunk(campaign.pk, size=3)
    third = sending.claim_chunk(campaign.pk, size=3)
    ids = [
        set(OutboxMessage.objects.filter(claim_token=c[0]).values_list("pk", flat=True))
        for c in (first, second)
    ]
    assert len(ids[0]) == 3 and len(ids[1]) == 2 and not ids[0] & ids[1]
    assert third is None


def test_a_bounce_webhook_marks_the_outbox_row_and_suppresses_the_address(
    campaign, send_now, mailoutbox
):
    make_member("dana@example.com")
    send_now(campaign)
    row = OutboxMessage.objects.get()
    event = AnymailTrackingEvent(
        event_type="bounced",
        recipient="dana@example.com",
        event_id="evt-1",
        metadata={"outbox": str(row.pk)},
    )
    tracking.send(sender=object(), event=event, esp_name="Test")
    assert OutboxMessage.objects.get().status == OutboxMessage.BOUNCED
    assert campaign.progress()["bounced"] == 1
    assert consent.is_suppressed("dana@example.com", marketing=False)


def test_the_sender_check_names_each_empty_setting(settings):
    from oscar_loyalty.checks import check_settings

    settings.OSCAR_LOYALTY_SENDER_ADDRESS = ""
    ids = [e.id for e in check_settings()]
    assert ids == ["oscar_loyalty.E_SENDER_ADDRESS"]


def test_the_campaign_progress_page_shows_the_counts(admin_client, campaign, send_now):
    make_member("dana@example.com")
    send_now(campaign)
    response = admin_client.get(reverse("loyalty_campaigns:progress", args=[campaign.pk]))
    assert response.status_code == 200
    assert b'data-status="sent">1<' in response.content


def test_staff_send_now_from_the_campaign_page(
    admin_client, campaign, mailoutbox, django_capture_on_commit_callbacks
):
    make_member("dana@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("loyalty_campaigns:send", args=[campaign.pk]))
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    response = admin_client.post(
        reverse("loyalty_campaigns:send", args=[campaign.pk]), follow=True
    )
    assert b"already been sent" in response.content and len(mailoutbox) == 1


def test_staff_without_permission_cannot_send(client, campaign):
    from oscar.test.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    response = client.post(reverse("loyalty_campaigns:send", args=[campaign.pk]))
    assert response.status_code in (302, 403)
    assert Campaign.objects.get().status == Campaign.DRAFT


def test_personalisation_shows_points_last_purchase_and_skips_products_already_bought(
    campaign, shoes, boots, send_now, mailoutbox
):
    from decimal import Decimal as D

    from oscar.test.factories import create_order, create_product, create_stockrecord

    from oscar_loyalty.apps.points.models import PointsAccount

    dana = make_member("dana@example.com", first_name="Dana", interests=[shoes])
    PointsAccount.objects.create(member=dana, balance=250)
    create_order(user=dana.user, number="100042")  # the last purchase: a fresh product
    bought = boots
    from oscar.core.loading import get_model

    order = get_model("order", "Order").objects.get(number="100042")
    order.lines.update(product=bought, title="Desert boots")
    sandals = create_product(title="Sandals")
    sandals.categories.add(shoes)
    create_stockrecord(sandals, price=D("40.00"), num_in_stock=3)
    send_now(campaign)
    values = mailoutbox[0].anymail_test_params["merge_data"]["dana@example.com"]
    assert values["points_line"] == "You have 250 club points."
    assert values["last_purchase"] == "Your last purchase: Desert boots."
    assert "Sandals" in values["recommendation"] and "Desert" not in values["recommendation"]
    assert values["recommendation_text"].startswith("Sandals: http://127.0.0.1:8000/")


def test_without_the_points_app_the_points_line_stays_empty(campaign, send_now, mailoutbox):
    from unittest import mock

    make_member("dana@example.com")
    with mock.patch("oscar_loyalty.apps.newsletter.personalise.apps.is_installed") as installed:
        installed.side_effect = lambda name: name != "oscar_loyalty.apps.points"
        send_now(campaign)
    assert mailoutbox[0].anymail_test_params["merge_data"]["dana@example.com"]["points_line"] == ""


def test_an_address_suppressed_at_the_last_moment_is_recorded_as_skipped(
    campaign, monkeypatch, mailoutbox
):
    make_member("dana@example.com")
    make_member("noam@example.com")
    fanout.fan_out(campaign)
    original = sending.build_message

    def build_then_bounce(*args, **kwargs):
        message = original(*args, **kwargs)
        consent.suppress("noam@example.com", scope="all", reason=Suppression.HARD_BOUNCE)
        return message

    monkeypatch.setattr(sending, "build_message", build_then_bounce)
    sending.process_campaign(campaign.pk)
    assert mailoutbox[0].to == ["dana@example.com"]
    assert campaign.progress()["sent"] == 1 and campaign.progress()["skipped"] == 1


def test_a_batch_costs_the_same_queries_for_six_recipients_as_for_two(
    newsletter, gold, shoes, boots, mailoutbox
):
    # Every field sending reads must come with the chunk's rows: a deferred
    # field read per recipient would show here as queries growing with the batch.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from oscar.test.factories import create_order

    def members(first, last):
        for n in range(first, last):
            member = make_member(
                f"reader{n}@example.com",
                first_name=f"Reader {n}",
                tier=gold,
                interests=[shoes],
                budget_min=D("10.00"),
                budget_max=D("500.00"),
            )
            create_order(user=member.user)

    queries = []
    for first, last in ((0, 2), (2, 6)):
        members(first, last)
        campaign = Campaign.objects.create(name=f"Up to {last}", newsletter=newsletter)
        assert fanout.fan_out(campaign) == last
        with CaptureQueriesContext(connection) as captured:
            assert sending.process_campaign(campaign.pk)["sent"] == last
        queries.append(len(captured))
    assert queries[0] == queries[1], queries
    values = mailoutbox[-1].anymail_test_params["merge_data"]["reader5@example.com"]
    assert values["first_name"] == "Reader 5" and values["tier"] == "Gold"
    assert "Desert boots" in values["recommendation"]
