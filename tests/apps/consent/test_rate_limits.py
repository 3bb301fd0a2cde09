"""Rate limits on the login-free consent links (unsubscribe, double opt-in)."""

import pytest
from django.test import Client
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent import services
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState
from oscar_loyalty.apps.consent.tokens import make_unsubscribe_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(consenting_member):
    return make_unsubscribe_token(consenting_member.user.pk, message="campaign:7/outbox:70")


def status(member):
    return ConsentState.objects.get(user=member.user).status


def test_too_many_requests_to_the_unsubscribe_page_get_429_and_change_nothing(
    consenting_member, token, settings
):
    settings.OSCAR_LOYALTY_CONSENT_LINKS_RATE_LIMIT = (3, 600)
    client = Client(REMOTE_ADDR="192.0.2.10")
    url = reverse("loyalty:unsubscribe", args=[token])
    for _ in range(3):
        assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert b"Nothing was changed" in response.content
    assert status(consenting_member) == ConsentState.GRANTED
    # Another address is not affected.
    assert Client(REMOTE_ADDR="192.0.2.11").post(url).status_code == 200
    assert status(consenting_member) == ConsentState.WITHDRAWN


def test_guessing_confirmation_links_is_limited_too(consenting_member, settings):
    settings.OSCAR_LOYALTY_CONSENT_LINKS_RATE_LIMIT = (2, 600)
    client = Client(REMOTE_ADDR="192.0.2.20")
    for guess in ("a", "b"):
        assert client.get(reverse("loyalty:consent-confirm", args=[guess])).status_code == 400
    assert client.get(reverse("loyalty:consent-confirm", args=["c"])).status_code == 429


def test_one_click_unsubscribes_from_one_mailbox_provider_address_keep_working(db):
    # A campaign's recipients at one provider: many links POSTed from one address.
    provider = Client(REMOTE_ADDR="209.85.220.41")
    users = [UserFactory() for _ in range(80)]
    for user in users:
        services.record_consent(
            user, purpose="marketing", channel="email", action=ConsentRecord.GRANT,
            source=ConsentRecord.SOURCE_IMPORT,
        )  # fmt: skip
        url = reverse(
            "loyalty:unsubscribe-one-click",
            args=[make_unsubscribe_token(user.pk, message="campaign:1")],
        )
        assert provider.post(url).status_code == 200
    assert not ConsentState.objects.filter(status=ConsentState.GRANTED).exists()


def test_one_link_hammered_gets_429(consenting_member, token, settings):
    settings.OSCAR_LOYALTY_ONE_CLICK_PER_LINK_RATE_LIMIT = (3, 3600)
    client = Client(REMOTE_ADDR="192.0.2.30")
    url = reverse("loyalty:unsubscribe-one-click", args=[token])
    assert [client.post(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert ConsentRecord.objects.filter(action=ConsentRecord.WITHDRAW).count() == 1


def test_a_flood_from_one_address_gets_429_before_anything_is_written(
    consenting_member, token, settings
):
    settings.OSCAR_LOYALTY_ONE_CLICK_RATE_LIMIT = (2, 60)
    client = Client(REMOTE_ADDR="192.0.2.40")
    for n in range(2):
        client.post(reverse("loyalty:unsubscribe-one-click", args=[f"bad{n}"]))
    assert client.post(reverse("loyalty:unsubscribe-one-click", args=[token])).status_code == 429
    assert status(consenting_member) == ConsentState.GRANTED
