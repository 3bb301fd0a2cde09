"""``me/consent/`` and ``me/privacy/``: the web pages' evidence and service, as JSON."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from oscar.test.factories import UserFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from oscar_loyalty.apps.consent import services
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState
from oscar_loyalty.apps.consent.wording import DEFAULT_VERSION
from oscar_loyalty.apps.privacy.models import ErasureRequest
from tests.concurrency import postgres_races, run_in_threads

from .conftest import assert_problem, url

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
CLIENT = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "ClubApp/2.1 (iPhone)"}
EVIDENCE = (
    "purpose",
    "channel",
    "action",
    "wording_version",
    "wording_text",
    "source",
    "evidence",
    "ip_address",
    "user_agent",
)


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    cache.clear()
    yield
    cache.clear()


def choice(purpose="marketing", channel="sms"):
    return reverse("loyalty_api:consent-choice", kwargs={"purpose": purpose, "channel": channel})


def grant(client, channel="sms", version=DEFAULT_VERSION, **extra):
    return client.put(
        choice(channel=channel), {"wording_version": version}, format="json", **extra
    )


def token_for(user) -> APIClient:
    client = APIClient(**CLIENT)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def evidence(user, **filters):
    return list(
        ConsentRecord.objects.filter(user=user, **filters).order_by("pk").values(*EVIDENCE)
    )


# Consent ---------------------------------------------------------------------


def test_the_list_gives_each_offered_channel_its_state_and_the_wording_to_show(
    member, token_client
):
    services.record_consent(
        member.user, purpose="marketing", channel="sms", action="grant", source="join"
    )
    body = token_client.get(url("consent")).json()
    by_channel = {item["channel"]: item for item in body}
    assert set(by_channel) == {"email", "sms", "whatsapp"}
    assert by_channel["sms"]["status"] == "granted"
    assert by_channel["email"]["status"] == "none"
    assert by_channel["sms"]["wording"]["version"] == DEFAULT_VERSION
    assert "SMS" in by_channel["sms"]["wording"]["text"]


def test_a_grant_and_a_withdrawal_record_the_rows_the_preference_centre_writes(member):
    web_user, api_user = UserFactory(), member.user
    web = Client(**CLIENT)
    web.force_login(web_user)
    web.post(reverse("loyalty:preferences"), {"marketing:sms": "on", "marketing:email": "on"})
    web.post(reverse("loyalty:preferences"), {"marketing:email": "on"})  # sms withdrawn
    api = token_for(api_user)
    assert grant(api, "sms").json()["status"] == "granted"
    assert grant(api, "email").json()["status"] == "pending"  # double opt-in, as on the web
    assert api.delete(choice(channel="sms")).json()["status"] == "withdrawn"
    web_rows = sorted(evidence(web_user), key=lambda r: (r["channel"], r["action"]))
    api_rows = sorted(evidence(api_user), key=lambda r: (r["channel"], r["action"]))
    assert len(api_rows) == 3 and api_rows == web_rows
    assert api_rows[0]["ip_address"] == "203.0.113.7"
    assert services.consent_states(api_user) == services.consent_states(web_user)


def test_a_grant_of_email_sends_the_same_confirmation_link_as_the_web(
    member, mailoutbox, django_capture_on_commit_callbacks
):
    api = token_for(member.user)
    with django_capture_on_commit_callbacks(execute=True):
        grant(api, "email")
    assert len(mailoutbox) == 1 and "/club/preferences/confirm/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        grant(api, "email")  # pending already: nothing recorded, nothing sent again
    assert len(mailoutbox) == 1
    assert ConsentRecord.objects.filter(user=member.user).count() == 1


def test_a_replayed_grant_or_withdrawal_records_once(member, token_client):
    for _ in range(3):
        assert grant(token_client).status_code == 200
    for _ in range(3):
        assert token_client.delete(choice()).status_code == 200
    assert [r["action"] for r in evidence(member.user)] == ["grant", "withdraw"]


def test_a_grant_against_a_changed_wording_is_refused_and_records_nothing(member, token_client):
    body = assert_problem(grant(token_client, version="2020-01-1"), 409, "consent-wording-changed")
    assert "wording" in body["detail"]
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (("marketing", "carrier-pigeon"), {"wording_version": DEFAULT_VERSION}),
        (("profiling", "sms"), {"wording_version": DEFAULT_VERSION}),
        (("marketing", "post"), {"wording_version": DEFAULT_VERSION}),  # not offered
        (("marketing", "ס\u05d0\u202e"), {"wording_version": DEFAULT_VERSION}),
    ],
)
def test_a_purpose_or_channel_not_offered_is_a_404_problem(member, token_client, path, body):
    purpose, channel = path
    response = token_client.put(choice(purpose, channel), body, format="json")
    assert_problem(response, 404)
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"wording_version": None}, {"wording_version": ["x"]}, {"wording_version": "x" * 65}],
)
def test_a_grant_without_a_readable_wording_version_is_a_400_problem(member, token_client, body):
    assert_problem(token_client.put(choice(), body, format="json"), 400, "invalid-request")
    assert not ConsentRecord.objects.exists()


def test_a_hostile_user_agent_is_cleaned_as_on_the_web(member):
    api = APIClient(HTTP_USER_AGENT="App\x00/1\u0007" + "x" * 2000)
    api.force_login(member.user)
    api.put(choice(), {"wording_version": DEFAULT_VERSION}, format="json")
    record = ConsentRecord.objects.get()
    assert "\x00" not in record.user_agent and len(record.user_agent) == 512


def test_consent_is_the_callers_own(member, token_client):
    other = UserFactory()
    services.record_consent(
        other, purpose="marketing", channel="sms", action="grant", source="join"
    )
    token_client.delete(choice())  # the caller's own: never asked, so nothing to withdraw
    assert not ConsentRecord.objects.filter(user=member.user).exists()
    assert services.consent_states(other)[("marketing", "sms")] == ConsentState.GRANTED
    assert token_client.get(url("consent")).json()[1]["status"] == "none"
    assert_problem(APIClient().get(url("consent")), 401)


class TestConcurrentConsent:
    pytestmark = postgres_races("two API requests changing one consent")

    def test_two_grants_at_once_record_once_and_send_one_email(self, member, mailoutbox):
        key = Token.objects.create(user=member.user).key

        def request(index):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            return grant(client, "email").status_code

        results, errors = run_in_threads(request, 2)
        assert results == [200, 200] and not errors
        assert ConsentRecord.objects.filter(user=member.user).count() == 1
        assert ConsentState.objects.get(user=member.user).status == ConsentState.PENDING
        assert len(mailoutbox) == 1

    def test_a_grant_and_a_withdrawal_at_once_leave_state_and_ledger_agreeing(self, member):
        key = Token.objects.create(user=member.user).key

        def request(index):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            return (grant(client) if index == 0 else client.delete(choice())).status_code

        results, errors = run_in_threads(request, 2)
        assert results == [200, 200] and not errors
        state = ConsentState.objects.get(user=member.user)
        last = ConsentRecord.objects.filter(user=member.user).order_by("-pk").first()
        assert state.last_record_id == last.pk
        assert state.status == ("granted" if last.action == "grant" else "withdrawn")


# Privacy ---------------------------------------------------------------------


def test_the_export_is_the_privacy_pages_file(member, token_client):
    web = Client()
    web.force_login(member.user)
    page = web.get(reverse("loyalty:privacy-export"))
    response = token_client.get(url("privacy-export"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == page["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    api, web_data = json.loads(response.content), json.loads(page.content)
    api.pop("exported_at", None), web_data.pop("exported_at", None)
    assert api.keys() == web_data.keys()
    assert member.number in response.content.decode()


def erase(client, **body):
    return client.post(url("privacy-erasure"), body, format="json")


def test_erasure_with_the_password_erases_now_and_revokes_the_token(member):
    user = member.user
    user.set_password(PASSWORD)
    user.save()
    api = token_for(user)
    assert erase(api, password=PASSWORD, confirm=True).status_code == 204
    erased = get_user_model().objects.get(pk=user.pk)
    assert erased.email.endswith("@erased.invalid") and not erased.is_active
    assert ErasureRequest.objects.filter(source=ErasureRequest.MEMBER).count() == 1
    assert not Token.objects.filter(user=user).exists()
    assert_problem(api.get(url("points")), 401)


@pytest.mark.parametrize(
    "body",
    [
        {"password": "wrong", "confirm": True},
        {"password": PASSWORD, "confirm": False},
        {"password": PASSWORD},
        {"password": {"$ne": ""}, "confirm": True},
        {"password": PASSWORD, "confirm": "maybe"},
    ],
)
def test_erasure_without_the_password_and_the_confirmation_erases_nothing(member, body):
    member.user.set_password(PASSWORD)
    member.user.save()
    assert_problem(erase(token_for(member.user), **body), 400, "invalid-request")
    assert not ErasureRequest.objects.exists()
    assert get_user_model().objects.get(pk=member.user.pk).is_active


def test_wrong_passwords_share_the_privacy_pages_limit(member):
    from oscar_loyalty.apps.privacy.views import PASSWORD_LIMIT

    member.user.set_password(PASSWORD)
    member.user.save()
    api = token_for(member.user)
    web = Client()
    web.force_login(member.user)
    for _ in range(PASSWORD_LIMIT[0] - 1):
        erase(api, password="wrong", confirm=True)
    web.post(reverse("loyalty:privacy"), {"password": "wrong", "confirm": "on"})
    response = erase(api, password=PASSWORD, confirm=True)  # right, but over the limit
    assert_problem(response, 429, "rate-limited")
    assert response["Retry-After"] == str(PASSWORD_LIMIT[1])
    assert not ErasureRequest.objects.exists()


def test_an_account_the_page_cannot_erase_is_a_409_problem_with_its_message(db):
    staff = UserFactory(is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    body = assert_problem(erase(token_for(staff), password=PASSWORD, confirm=True), 409)
    assert body["detail"]
    assert not ErasureRequest.objects.exists()
    assert get_user_model().objects.get(pk=staff.pk).is_active
