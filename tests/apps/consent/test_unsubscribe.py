import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from oscar_loyalty.apps.consent import services
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState
from oscar_loyalty.apps.consent.tokens import (
    make_unsubscribe_token,
    read_unsubscribe_token,
    unsubscribe_token_maker,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(consenting_member):
    return make_unsubscribe_token(consenting_member.user.pk, message="campaign:7/outbox:70")


def status(member):
    return ConsentState.objects.get(user=member.user).status


def test_the_token_names_the_message_but_not_the_address(consenting_member, token):
    assert "dana" not in signing.b64_decode(token.split(":")[0].lstrip(".").encode()).decode(
        "latin-1"
    )
    data = read_unsubscribe_token(token)
    assert (data.user_id, data.message) == (consenting_member.user.pk, "campaign:7/outbox:70")


def test_opening_the_unsubscribe_link_changes_nothing(client, consenting_member, token):
    for name in ("loyalty:unsubscribe", "loyalty:unsubscribe-one-click"):
        response = client.get(reverse(name, args=[token]))
        assert response.status_code == 200 and b"<form" in response.content
    assert status(consenting_member) == ConsentState.GRANTED


def test_one_click_post_works_without_cookies_or_csrf_and_does_not_redirect(
    consenting_member, token
):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("loyalty:unsubscribe-one-click", args=[token]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert status(consenting_member) == ConsentState.WITHDRAWN
    record = ConsentRecord.objects.filter(action="withdraw").get()
    assert record.source == ConsentRecord.SOURCE_ONE_CLICK
    assert record.evidence == {"message": "campaign:7/outbox:70"}


def test_a_repeated_one_click_post_is_idempotent(client, consenting_member, token):
    url = reverse("loyalty:unsubscribe-one-click", args=[token])
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200
    assert ConsentRecord.objects.filter(action="withdraw").count() == 1


def test_the_footer_page_withdraws_on_its_button(client, consenting_member, token):
    response = client.post(reverse("loyalty:unsubscribe", args=[token]))
    assert response.status_code == 200 and b"unsubscribed" in response.content
    assert ConsentRecord.objects.get(action="withdraw").source == "unsubscribe_page"


@pytest.mark.parametrize("name", ["loyalty:unsubscribe", "loyalty:unsubscribe-one-click"])
def test_a_tampered_token_is_refused_and_changes_nothing(client, consenting_member, token, name):
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.post(reverse(name, args=[tampered]))
    assert response.status_code == 400
    assert status(consenting_member) == ConsentState.GRANTED


def test_a_token_signed_by_another_store_is_refused(client, consenting_member, settings):
    settings.SECRET_KEY = "another store's key"
    foreign = make_unsubscribe_token(consenting_member.user.pk, message="x")
    settings.SECRET_KEY = "sandbox-insecure-secret-key-change-me"
    response = client.post(reverse("loyalty:unsubscribe-one-click", args=[foreign]))
    assert response.status_code == 400
    assert status(consenting_member) == ConsentState.GRANTED


def test_a_confirmation_token_is_not_an_unsubscribe_token(client, consenting_member):
    confirm = services.make_confirm_token(
        consenting_member.user.pk, record_id=1, purpose="marketing", channel="email"
    )
    response = client.post(reverse("loyalty:unsubscribe-one-click", args=[confirm]))
    assert response.status_code == 400


def test_a_batch_of_tokens_from_one_maker_reads_back_per_recipient():
    make = unsubscribe_token_maker()
    tokens = {user_id: make(user_id, f"campaign:3/outbox:{user_id}") for user_id in (1, 2, 99)}
    assert len(set(tokens.values())) == 3
    for user_id, token in tokens.items():
        data = read_unsubscribe_token(token)
        assert (data.user_id, data.purpose, data.channel, data.message) == (
            user_id,
            "marketing",
            "email",
            f"campaign:3/outbox:{user_id}",
        )


def test_a_compressed_token_from_an_earlier_release_is_still_honoured(client, consenting_member):
    # Tokens in newsletters already sent were made by signing.dumps(compress=True).
    old = signing.dumps(
        {
            "u": consenting_member.user.pk,
            "p": "marketing",
            "c": "email",
            "m": "campaign:" + "autumn-sale/" * 6,  # long enough for zlib to win
        },
        salt="oscar_loyalty.consent.unsubscribe.v1",
        compress=True,
    )
    assert old.startswith(".")
    response = client.post(reverse("loyalty:unsubscribe-one-click", args=[old]))
    assert response.status_code == 200
    assert status(consenting_member) == ConsentState.WITHDRAWN


def test_a_one_click_post_after_erasure_stores_nothing_about_the_poster(consenting_member, token):
    from oscar_loyalty.apps.privacy.erasure import erase_user
    from oscar_loyalty.apps.privacy.models import ErasureRequest

    erase_user(consenting_member.user, source=ErasureRequest.STAFF)
    records = ConsentRecord.objects.count()
    client = Client(REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Mailbox/1.0")
    response = client.post(reverse("loyalty:unsubscribe-one-click", args=[token]))
    assert response.status_code == 200
    assert ConsentRecord.objects.count() == records
    assert not ConsentRecord.objects.filter(ip_address="198.51.100.4").exists()
    assert not ConsentRecord.objects.filter(user=consenting_member.user).exists()


def test_the_footer_page_after_erasure_stores_nothing(client, consenting_member, token):
    from oscar_loyalty.apps.privacy.erasure import erase_user
    from oscar_loyalty.apps.privacy.models import ErasureRequest

    erase_user(consenting_member.user, source=ErasureRequest.STAFF)
    records = ConsentRecord.objects.count()
    assert client.post(reverse("loyalty:unsubscribe", args=[token])).status_code == 200
    assert ConsentRecord.objects.count() == records


def test_a_user_object_loaded_before_the_erasure_cannot_record_on_the_erased_account(
    consenting_member,
):
    from django.contrib.auth import get_user_model

    from oscar_loyalty.apps.privacy.erasure import erase_user
    from oscar_loyalty.apps.privacy.models import ErasureRequest

    stale = get_user_model().objects.get(pk=consenting_member.user.pk)
    erase_user(consenting_member.user, source=ErasureRequest.STAFF)
    assert services.withdraw_consent(stale, source=ConsentRecord.SOURCE_ONE_CLICK) is None
    assert not ConsentRecord.objects.filter(user=stale).exists()


@pytest.mark.parametrize(
    "meta",
    [
        # WSGI hands headers over as latin-1 decoded text: a UTF-8 user agent arrives as mojibake.
        {"HTTP_USER_AGENT": "Mözilla/5.0 (ישראל) ☃".encode().decode("latin-1")},
        {"HTTP_USER_AGENT": "evil\x00agent" + "x" * 2000},
        {"REMOTE_ADDR": "unknown", "HTTP_USER_AGENT": "\ud800 lone surrogate"},
    ],
)
def test_hostile_headers_on_a_one_click_post_are_stored_safely(consenting_member, token, meta):
    client = Client(**meta)
    response = client.post(reverse("loyalty:unsubscribe-one-click", args=[token]))
    assert response.status_code == 200
    record = ConsentRecord.objects.get(action="withdraw")
    assert "\x00" not in record.user_agent and len(record.user_agent) <= 512
    record.user_agent.encode("utf-8")  # storable and readable as UTF-8
    assert record.ip_address in (None, "127.0.0.1")
