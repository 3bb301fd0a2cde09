"""SMS authoring: merge fields in the SMS text, the §30A wrapping and the parts of the merged
whole, the per-recipient preview and the cost estimate (docs/sms.md, "Authoring")."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from oscar.core.loading import get_model
from oscar.test.factories import create_order, create_product, create_stockrecord

from oscar_loyalty import phones
from oscar_loyalty.apps.newsletter import fanout, sending
from oscar_loyalty.apps.newsletter.channels import test as test_backend
from oscar_loyalty.apps.newsletter.channels.text import count_segments
from oscar_loyalty.apps.newsletter.models import Campaign
from oscar_loyalty.apps.newsletter.sms_fields import merge_text, register, registered, unregister
from tests.apps.newsletter.test_channels import texter

pytestmark = pytest.mark.django_db

# Tuesday 8 December 2026, 12:00 in Israel: no quiet hours.
NOON = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _sms_settings(settings):
    test_backend.reset()
    settings.OSCAR_LOYALTY_SMS_SENDER_NAME = "Shoes"
    settings.OSCAR_LOYALTY_SMS_REFUSAL_TEXT = "STOP"
    settings.OSCAR_LOYALTY_QUIET_DATES = ["2026-12-25"]
    yield
    test_backend.reset()


@pytest.fixture
def dana(shoes, boots):
    """A member with points, a last purchase (the boots) and a matched product (sandals)."""
    from oscar_loyalty.apps.points.models import PointsAccount

    member = texter("dana@example.com", "052-765-4321", first_name="Dana")
    member.interests.set([shoes])
    PointsAccount.objects.create(member=member, balance=250)
    create_order(user=member.user, number="100042")
    order = get_model("order", "Order").objects.get(number="100042")
    order.lines.update(product=boots, title="Desert boots")
    order.date_placed = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    order.save()
    sandals = create_product(title="Sandals")
    sandals.categories.add(shoes)
    create_stockrecord(sandals, price=D("40.00"), num_in_stock=3)
    return member


def sms_campaign(newsletter, text):
    return Campaign.objects.create(
        name="SMS", newsletter=newsletter, channels=["sms"], sms_text=text
    )


def sent_bodies():
    return [m.body for call in test_backend.outbox for m in call["messages"]]


def test_each_merge_field_is_filled_with_the_values_the_email_uses(newsletter, dana):
    campaign = sms_campaign(
        newsletter,
        "Hi {first_name}, {points} points. Last: {last_purchase} on {last_purchase_date}. "
        "Try {product_name} {product_link}",
    )
    fanout.fan_out(campaign, now=NOON)
    sending.process_campaign(campaign.pk, now=NOON)

    (body,) = sent_bodies()
    assert body.startswith(
        "פרסומת - Shoes: Hi Dana, 250 points. Last: Desert boots on 03/11/2026."
    )
    assert "Try Sandals http://127.0.0.1:8000/" in body and "Desert boots http" not in body
    assert body.endswith("\nSTOP")


def test_a_member_without_a_first_name_is_greeted_as_a_club_member(newsletter):
    member = texter("anon@example.com", "052-765-4300")
    assert merge_text("Hi {first_name}!", member.user, language="en") == "Hi club member!"
    assert merge_text("{last_purchase}|{product_link}", member.user, language="en") == "|"


def test_an_unknown_merge_field_is_refused_with_the_known_ones_named(newsletter):
    campaign = Campaign(name="x", newsletter=newsletter, sms_text="Hi {frist_name} {first_name}")
    with pytest.raises(ValidationError) as error:
        campaign.full_clean()
    message = error.value.message_dict["sms_text"][0]
    assert "{frist_name}" in message and "{first_name}" in message and "{points}" in message
    # Braces around no word are text, not fields.
    Campaign(name="x", newsletter=newsletter, sms_text="Sale :-} { } {{").full_clean()


def test_the_registry_takes_a_new_field_from_another_app(newsletter):
    member = texter("reg@example.com", "052-765-4301", first_name="Noa")
    register("club_code", label="Club code", value=lambda values, user: f"C-{user.pk}")
    try:
        assert merge_text("{first_name} {club_code}", member.user, language="en") == (
            f"Noa C-{member.user.pk}"
        )
        Campaign(name="x", newsletter=newsletter, sms_text="{club_code}").full_clean()
    finally:
        unregister("club_code")
    assert "club_code" not in registered()


def test_the_parts_are_counted_on_the_merged_text_with_prefix_and_refusal(newsletter):
    # 134 UCS-2 units in all (two parts) with a short name; a longer name makes it three.
    wrapper = len("פרסומת - Shoes: ") + len("\nSTOP")
    assert wrapper == 21
    short = texter("s@example.com", "052-765-4302", first_name="Al")
    long_ = texter("l@example.com", "052-765-4303", first_name="Alexandra")
    filler = "x" * (134 - 21 - len("Al "))
    campaign = sms_campaign(newsletter, "{first_name} " + filler)
    fanout.fan_out(campaign, now=NOON)
    sending.process_campaign(campaign.pk, now=NOON)
    bodies = {m.to: m.body for call in test_backend.outbox for m in call["messages"]}
    assert str(short.phone) in bodies and str(long_.phone) in bodies
    # "פרסומת" is Hebrew: the message is UCS-2 whatever the text.
    short_parts = count_segments(bodies[str(short.phone)])
    assert short_parts.encoding == "UCS-2" and short_parts.units == 134
    assert count_segments(bodies[str(long_.phone)]).units == 141
    assert (short_parts.parts, count_segments(bodies[str(long_.phone)]).parts) == (2, 3)


@pytest.mark.parametrize(
    "text, units, parts",
    [
        ("a" * 159 + "€", 161, 2),  # the extension character's second septet crosses 160
        ("a" * 158 + "€", 160, 1),
        ("\r\n" * 80, 160, 1),  # CR and LF are one septet each
        ("a" * 305 + "^", 307, 3),
        ("ש" * 69 + "😀", 71, 2),  # a surrogate pair crossing 70 units
        ("ש" * 68 + "😀", 70, 1),
        ("é" * 160, 160, 1),  # é is in the GSM-7 alphabet
        ("ê" * 70, 70, 1),  # ê is not: UCS-2
        ("\u200f" + "a" * 69, 70, 1),  # an RTL mark makes the whole text UCS-2
    ],
)
def test_count_segments_at_the_edges(text, units, parts):
    segments = count_segments(text)
    assert (segments.units, segments.parts) == (units, parts)


# The send page in Wagtail: the preview and the cost --------------------------


def progress_url(campaign):
    from django.urls import reverse

    return reverse("loyalty_campaigns:progress", args=[campaign.pk])


@pytest.fixture
def editor(client):
    from oscar.test.factories import UserFactory

    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_the_send_page_shows_a_chosen_members_exact_sms_with_its_parts(
    client, editor, newsletter, dana
):
    other = texter("noa@example.com", "052-765-4399", first_name="Noa")
    campaign = sms_campaign(newsletter, "שלום {first_name}, יש לך {points} נקודות")
    page = client.get(progress_url(campaign), {"member": dana.number}).content.decode()
    text = "פרסומת - Shoes: שלום Dana, יש לך 250 נקודות\nSTOP"
    assert f'<pre dir="auto" style="white-space: pre-wrap" data-sms-text>{text}</pre>' in page
    assert f'data-sms-preview="{dana.number}"' in page and other.number not in page
    assert f"<td data-sms-units>{len(text)}</td>" in page
    assert "<td data-sms-encoding>UCS-2</td>" in page and "<td data-sms-parts>1</td>" in page
    assert "+972527654321" in page
    # Without a choice: the first members of the audience, each with their own name.
    page = client.get(progress_url(campaign)).content.decode()
    assert "שלום Dana," in page and "שלום Noa," in page


def test_a_member_outside_the_sms_audience_cannot_be_previewed(client, editor, newsletter):
    from tests.apps.newsletter.conftest import make_member

    stranger = make_member("mail-only@example.com", first_name="Eli", phone="052-765-4398")
    campaign = sms_campaign(newsletter, "Hi {first_name}")
    page = client.get(progress_url(campaign), {"member": stranger.number}).content.decode()
    assert "Hi Eli" not in page
    assert "No member of this campaign" in page and "SMS audience has that card" in page


def test_the_sms_preview_needs_the_change_permission(client, newsletter, dana):
    from django.contrib.auth.models import Permission
    from oscar.test.factories import UserFactory

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_campaign"),
    )
    client.force_login(viewer)
    campaign = sms_campaign(newsletter, "Hi {first_name}")
    response = client.get(progress_url(campaign), {"member": dana.number})
    assert response.status_code in (302, 403)
    assert b"Hi Dana" not in response.content


def test_the_cost_estimate_counts_consented_numbers_and_each_ones_parts(
    client, editor, newsletter, settings
):
    from oscar_loyalty.apps.consent import services as consent
    from oscar_loyalty.apps.newsletter.sms_authoring import estimate_cost
    from tests.apps.newsletter.conftest import make_member

    settings.OSCAR_LOYALTY_SMS_PRICE_PER_PART = {"test": "0.0875", "twilio": "0.30"}
    texter("a@example.com", "052-765-4001", first_name="Al")  # 2 parts
    texter("b@example.com", "052-765-4002", first_name="Alexandra")  # 3 parts
    make_member("c@example.com", first_name="NoConsent", phone="052-765-4003")
    moved = texter("d@example.com", "052-765-4004", first_name="Moved")
    moved.phone = "052-765-4005"  # consent was for the old number
    moved.save()
    suppressed = texter("e@example.com", "052-765-4006", first_name="Gone")
    consent.Suppression.objects.create(
        email_hash=phones.number_hash(str(suppressed.phone), "sms"),
        scope="marketing",
        reason="bounce",
    )
    campaign = sms_campaign(newsletter, "{first_name} " + "x" * (134 - 21 - len("Al ")))
    estimate = estimate_cost(campaign)
    assert (estimate.recipients, estimate.parts) == (2, 5)
    # 5 × 0.0875 = 0.4375 → 0.44 (half up to the agora)
    assert estimate.cost == D("0.44") and estimate.price_per_part == D("0.0875")
    page = client.get(progress_url(campaign)).content.decode()
    assert "data-sms-recipients>2<" in page and "data-sms-parts>5<" in page
    assert 'data-sms-cost="0.44"' in page
    # The estimate is exactly what fan-out writes.
    assert fanout.fan_out(campaign, now=NOON) == 2


def test_a_single_price_applies_to_every_provider_and_half_an_agora_rounds_up(
    newsletter, settings
):
    from oscar_loyalty.apps.newsletter.sms_authoring import estimate_cost, price_per_part

    settings.OSCAR_LOYALTY_SMS_PRICE_PER_PART = D("0.005")
    assert price_per_part("anything") == D("0.005")
    texter("a@example.com", "052-765-4001")
    estimate = estimate_cost(sms_campaign(newsletter, "Sale"))
    assert (estimate.parts, estimate.cost) == (1, D("0.01"))
    settings.OSCAR_LOYALTY_SMS_PRICE_PER_PART = {}
    assert estimate_cost(sms_campaign(newsletter, "Sale")).cost is None


def test_the_campaign_form_takes_channels_and_an_sms_text_and_refuses_unknown_fields(
    client, editor, newsletter
):
    from django.urls import reverse

    page = client.get(reverse("loyalty_campaigns:add")).content.decode()
    assert "data-loyalty-sms-counter" in page and "oscar_loyalty/js/sms-counter.js" in page
    assert "{product_link}" in page  # the help text names the fields
    data = {
        "name": "Flash sale",
        "newsletter": newsletter.pk,
        "channels": ["sms"],
        "sms_text": "Hi {frist_name}",
        "whatsapp_template": "",
    }
    response = client.post(reverse("loyalty_campaigns:add"), data)
    assert response.status_code == 200 and not Campaign.objects.exists()
    assert "{frist_name}" in response.content.decode()
    data["sms_text"] = "Hi {first_name}\r\nSale!"
    response = client.post(reverse("loyalty_campaigns:add"), data)
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.channels, campaign.sms_text) == (["sms"], "Hi {first_name}\nSale!")


def test_with_click_tracking_on_the_product_link_is_a_short_link_naming_the_message(
    newsletter, dana, settings, client
):
    from oscar_loyalty.apps.newsletter import fanout, links
    from oscar_loyalty.apps.newsletter.models import OutboxMessage

    settings.OSCAR_LOYALTY_TRACK_CLICKS = True
    settings.OSCAR_LOYALTY_SITE_URL = "https://shop.co.il"
    campaign = sms_campaign(newsletter, "Try {product_name} {product_link}")
    fanout.fan_out(campaign, now=NOON)
    sending.process_campaign(campaign.pk, now=NOON)
    (body,) = sent_bodies()
    link = body.split("Try Sandals ", 1)[1].split("\n", 1)[0]
    assert link.startswith("https://shop.co.il/club/c/") and len(link) <= 42
    row = OutboxMessage.objects.get(campaign=campaign)
    sandals = get_model("catalogue", "Product").objects.get(title="Sandals")
    assert links.read_token(link.rsplit("/", 1)[1]) == (row.pk, sandals.pk)
    assert count_segments(body).units == len(body)  # the parts are counted with the link
    response = client.get(link.removeprefix("https://shop.co.il"))
    assert response["Location"] == sandals.get_absolute_url()
    row.refresh_from_db()
    assert row.clicked_at is not None
