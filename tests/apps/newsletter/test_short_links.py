"""Short signed product links in SMS/WhatsApp text: the token, the redirect, the click, privacy."""

import base64
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import create_product

from oscar_loyalty.apps.newsletter import links
from oscar_loyalty.apps.newsletter.channels.text import compose, count_segments
from oscar_loyalty.apps.newsletter.models import OutboxMessage

NOON = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def tracking(settings):
    settings.OSCAR_LOYALTY_TRACK_CLICKS = True
    settings.OSCAR_LOYALTY_SITE_URL = "https://shop.co.il"


@pytest.fixture
def message(campaign):
    from oscar.test.factories import UserFactory

    return OutboxMessage.objects.create(
        campaign=campaign,
        user=UserFactory(),
        channel="sms",
        email_hash="h1",
        status=OutboxMessage.SENT,
        sent_at=NOON,
    )


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def follow(client, url, **headers):
    path = url.removeprefix("https://shop.co.il")
    return client.get(path, headers=headers)


# The token ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "message_id, product_id",
    [(1, 1), (127, 128), (123_456, 1_234), (2**31, 2**31 + 7), (2**62, 2**40)],
)
def test_a_token_names_its_message_and_product_and_nothing_else(message_id, product_id):
    token = links.make_token(message_id, product_id)
    assert links.read_token(token) == (message_id, product_id)
    assert links.TOKEN.fullmatch(token)


def test_a_token_of_a_large_store_is_16_characters_and_the_link_29_to_42(settings):
    settings.OSCAR_LOYALTY_SITE_URL = "https://shop.co.il"
    assert len(links.make_token(100_000, 5_000)) == 15
    token = links.make_token(1_000_000, 20_000)  # a million messages sent, 20,000 products
    assert len(token) == 16
    assert len(links.link_prefix() + token) == 42  # https://shop.co.il/club/c/<token>
    settings.OSCAR_LOYALTY_SHORT_LINK_PREFIX = "https://shop.co.il/c/"  # mounted at the root
    assert len(links.link_prefix() + token) == 37
    settings.OSCAR_LOYALTY_SHORT_LINK_PREFIX = "shop.co.il/c/"  # phones link it without a scheme
    assert len(links.link_prefix() + token) == 29


def flip_each_character(token):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for index, char in enumerate(token):
        for other in alphabet:
            if other != char:
                yield token[:index] + other + token[index + 1 :]


def test_no_other_character_at_any_position_makes_a_valid_token():
    token = links.make_token(123_456, 1_234)
    tampered = list(flip_each_character(token))
    assert len(tampered) == 63 * len(token)
    # Including the last character's spare bits: base64 of 11 bytes has 2 unused
    # bits, and a decoder alone would accept 3 other spellings of the same bytes.
    assert [t for t in tampered if links.read_token(t) is not None] == []


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-1],  # truncated
        lambda t: t[:8],
        lambda t: t + "A",  # lengthened
        lambda t: t + "=",  # padded
        lambda t: t.upper(),
        lambda t: t.replace(t[3], "+"),  # standard base64, not the URL alphabet
        lambda t: t[:5] + "\u0661" + t[6:],  # an Arabic-Indic digit
        lambda t: t[:5] + "é" + t[6:],
        lambda t: t[:5] + "\x00" + t[6:],
        lambda t: t[:5] + "\ud800" + t[6:],  # a lone surrogate
        lambda t: "Ａ" + t[1:],  # full-width
        lambda t: t * 3,
        lambda t: "",
    ],
)
def test_truncated_padded_or_foreign_tokens_are_refused(change):
    assert links.read_token(change(links.make_token(123_456, 1_234))) is None


def test_a_token_moved_to_another_product_or_message_is_refused():
    token = links.make_token(50, 7)
    data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    tag = data[-links.TAG_BYTES :]
    for message_id, product_id in ((50, 8), (51, 7), (7, 50)):
        payload = links._varint(message_id) + links._varint(product_id)
        assert links.read_token(links._encode(payload + tag)) is None


def test_links_sent_before_a_key_rotation_keep_working_through_the_fallbacks(settings):
    first = settings.SECRET_KEY
    old = links.make_token(9, 9)
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-" + "y" * 30
    assert links.read_token(old) is None
    settings.SECRET_KEY_FALLBACKS = [first]
    assert links.read_token(old) == (9, 9)


# short_link ----------------------------------------------------------------------


def test_with_tracking_on_a_product_link_is_the_short_signed_link(tracking, message, boots):
    link = links.short_link(message, boots)
    assert link.startswith("https://shop.co.il/club/c/")
    assert links.read_token(link.rsplit("/", 1)[1]) == (message.pk, boots.pk)


def test_with_tracking_off_a_product_link_is_the_plain_product_url_naming_no_message(
    settings, message, boots
):
    settings.OSCAR_LOYALTY_SITE_URL = "https://shop.co.il"
    link = links.short_link(message, boots)
    assert link == "https://shop.co.il" + boots.get_absolute_url()
    assert "/club/c/" not in link


def test_the_link_is_counted_in_the_parts_of_the_text_as_sent(tracking, message, boots):
    link = links.short_link(message, boots)
    text = compose(f"מגפיים במבצע {link}", sender="נעליים", refusal="להסרה השב הסר")
    segments = count_segments(text)
    assert link in text
    assert segments.units == len(text) and segments.encoding == "UCS-2"
    without = count_segments(compose("מגפיים במבצע", sender="נעליים", refusal="להסרה השב הסר"))
    assert segments.units - without.units == len(" " + link)
    assert (without.parts, segments.parts) == (1, 2)  # this link costs a second part


# The click -----------------------------------------------------------------------


def test_a_click_records_the_first_click_on_the_message_and_redirects_to_the_product(
    tracking, client, message, boots
):
    response = follow(client, links.short_link(message, boots))
    assert response.status_code == 302
    assert response["Location"] == boots.get_absolute_url()
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    message.refresh_from_db()
    first = message.clicked_at
    assert first is not None


def test_a_message_is_clicked_once_whatever_the_product_or_the_number_of_clicks(
    tracking, client, message, boots
):
    other = create_product(title="Sandals")
    follow(client, links.short_link(message, boots))
    message.refresh_from_db()
    first = message.clicked_at
    response = follow(client, links.short_link(message, other))
    follow(client, links.short_link(message, boots))
    assert response["Location"] == other.get_absolute_url()
    message.refresh_from_db()
    assert message.clicked_at == first  # the first click, as the email's click events


def test_a_click_confirms_a_message_a_dead_worker_left_sending(tracking, client, message, boots):
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.SENDING, sent_at=None)
    follow(client, links.short_link(message, boots))
    message.refresh_from_db()
    assert message.status == OutboxMessage.SENT and message.clicked_at is not None


@pytest.mark.parametrize(
    "path",
    [
        "AAAAAAAAAAAAAAA",
        "%D7%A9%D7%9C%D7%95%D7%9D%D7%A9%D7%9C%D7%95%D7%9D",  # שלוםשלום
        "..%2F..%2Fevil.example",
        "%2F%2Fevil.example",
        "https:%2F%2Fevil.example",
        "%EF%BC%A1%EF%BC%A1%EF%BC%A1%EF%BC%A1%EF%BC%A1%EF%BC%A1",  # full-width
        "%00%00%00%00%00%00%00%00%00%00",
        "%ED%A0%80AAAAAAAAAAAA",  # a lone surrogate, as UTF-8
        "A" * 5000,
    ],
)
def test_a_tampered_or_hostile_token_redirects_to_the_catalogue_and_writes_nothing(
    tracking, client, message, path
):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/club/c/" + path)
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == reverse("catalogue:index")
    assert writes(queries.captured_queries) == []
    message.refresh_from_db()
    assert message.clicked_at is None


def test_a_valid_token_for_a_product_no_longer_public_goes_to_the_catalogue(
    tracking, client, message, boots
):
    link = links.short_link(message, boots)
    boots.is_public = False
    boots.save()
    assert follow(client, link)["Location"] == reverse("catalogue:index")


def test_a_click_with_tracking_switched_off_since_the_send_redirects_and_writes_nothing(
    tracking, settings, client, message, boots
):
    link = links.short_link(message, boots)  # sent while tracking was on
    settings.OSCAR_LOYALTY_TRACK_CLICKS = False
    with CaptureQueriesContext(connection) as queries:
        response = follow(client, link)
    assert response["Location"] == boots.get_absolute_url()
    assert writes(queries.captured_queries) == []
    message.refresh_from_db()
    assert message.clicked_at is None


def test_link_previews_and_head_requests_are_not_clicks(tracking, client, message, boots):
    link = links.short_link(message, boots)
    assert follow(client, link, **{"User-Agent": "WhatsApp/2.23.20.0 A"}).status_code == 302
    assert follow(client, link, **{"User-Agent": "facebookexternalhit/1.1"}).status_code == 302
    assert client.head(link.removeprefix("https://shop.co.il")).status_code == 302
    message.refresh_from_db()
    assert message.clicked_at is None


def test_after_too_many_invalid_tokens_a_client_is_sent_to_the_catalogue_unread(
    tracking, settings, client, message, boots
):
    from django.core.cache import cache

    cache.clear()
    settings.OSCAR_LOYALTY_SHORT_LINKS_RATE_LIMIT = (3, 600)
    for _ in range(3):
        client.get("/club/c/AAAAAAAAAAAAAAA")
    response = follow(client, links.short_link(message, boots))  # valid, but over the limit
    assert response["Location"] == reverse("catalogue:index")
    message.refresh_from_db()
    assert message.clicked_at is None
    cache.clear()


def test_the_email_channel_tracks_clicks_only_when_the_switch_is_on(
    settings, campaign, boots, message
):
    from oscar_loyalty.apps.newsletter.sending import build_message

    rows = [message]
    assert build_message(campaign, rows, language="en", esp="test").track_clicks is False
    settings.OSCAR_LOYALTY_TRACK_CLICKS = True
    message_on = build_message(campaign, rows, language="en", esp="test")
    assert message_on.track_clicks is True and message_on.track_opens is False


def test_a_preview_link_has_the_length_of_a_real_one_but_records_nothing(tracking, boots):
    preview = links.preview_link(boots)
    real = links.link_prefix() + links.make_token(links.PREVIEW_MESSAGE_ID, boots.pk)
    assert len(preview) == len(real)
    assert links.read_token(preview.rsplit("/", 1)[1]) is None
