"""Erasure ends and purges every session of the account, not only the current one."""

from decimal import Decimal as D

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from oscar.test.factories import UserFactory, create_product

from oscar_loyalty.apps.privacy import erasure
from oscar_loyalty.apps.privacy.models import ErasureRequest
from tests import checkout

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def second_device(full_member) -> Client:
    """Another browser: signs in and starts a checkout, so the session holds name and street."""
    person = full_member.person
    device = Client(REMOTE_ADDR="198.51.100.20")
    assert device.login(username=person.email, password=PASSWORD)
    checkout.ensure_country()
    checkout.add_to_basket(device, create_product(title="Vase", price=D("30.00"), num_in_stock=5))
    device.get(reverse("checkout:index"), follow=True)
    address = {
        **checkout.ADDRESS,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "line1": person.street,
    }
    response = device.post(reverse("checkout:shipping-address"), address)
    assert response.status_code == 302
    return device


def sessions_mentioning(*needles: str) -> list[str]:
    """Every stored session decoded (base64 JSON, maybe compressed) and searched."""
    found = []
    for session in Session.objects.all():
        text = str(session.get_decoded()).lower()
        found += [session.session_key for needle in needles if needle.lower() in text]
    return found


def test_erasure_purges_the_session_of_a_second_device(full_member):
    person = full_member.person
    device = second_device(full_member)
    assert sessions_mentioning(person.street, person.last_name)  # the data really is there

    response = full_member.client.post(
        reverse("loyalty:privacy"), {"password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 302
    assert sessions_mentioning(person.street, person.last_name, person.first_name) == []
    assert not Session.objects.filter(session_key=device.session.session_key).exists()
    # The second device is signed out.
    assert device.get(reverse("loyalty:privacy")).status_code == 302
    assert ErasureRequest.objects.get().summary["sessions"] >= 1


def test_other_peoples_sessions_stay(full_member):
    other = Client()
    other.force_login(UserFactory(email="stranger@example.com"))
    key = other.session.session_key
    erasure.erase_user(full_member.user, source=ErasureRequest.STAFF)
    assert Session.objects.filter(session_key=key).exists()


@pytest.mark.parametrize(
    "engine",
    [
        "django.contrib.sessions.backends.cache",
        "django.contrib.sessions.backends.cached_db",
    ],
)
def test_cache_backed_sessions_are_purged_too(full_member, settings, engine):
    from importlib import import_module

    settings.SESSION_ENGINE = engine
    device = Client()
    assert device.login(username=full_member.person.email, password=PASSWORD)
    key = device.session.session_key
    store = import_module(engine).SessionStore
    assert store(session_key=key).exists(key)

    erasure.erase_user(full_member.user, source=ErasureRequest.STAFF)
    assert not store(session_key=key).exists(key)
    assert store(session_key=key).load() == {}


def test_purging_a_user_without_sessions_changes_nothing(full_member):
    from oscar_loyalty.apps.privacy.sessions import purge_sessions

    full_member.client.logout()
    assert purge_sessions(full_member.user) == 0


def test_a_request_in_flight_cannot_save_a_purged_session_back(full_member):
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.backends.db import SessionStore

    device = Client()
    assert device.login(username=full_member.person.email, password=PASSWORD)
    in_flight = SessionStore(session_key=device.session.session_key)
    in_flight["checkout_data"] = {"shipping": {"line1": full_member.person.street}}  # loaded
    erasure.erase_user(full_member.user, source=ErasureRequest.STAFF)
    with pytest.raises(UpdateError):
        in_flight.save()  # what SessionMiddleware does at the end of that request
    assert sessions_mentioning(full_member.person.street) == []
