"""Two requests at once on every path that changes consent (real threads, real PostgreSQL)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent import services
from oscar_loyalty.apps.consent.hashing import email_hash
from oscar_loyalty.apps.consent.models import (
    ConsentRecord,
    ConsentState,
    Suppression,
    TrackingEvent,
)
from oscar_loyalty.apps.consent.tokens import make_unsubscribe_token
from oscar_loyalty.apps.privacy.erasure import erase_user
from oscar_loyalty.apps.privacy.models import ErasureRequest
from tests.concurrency import postgres_races, run_in_threads
from tests.factories import MemberFactory

from .test_bounces import ses_bounce, ses_complaint, ses_post

pytestmark = postgres_races("concurrent consent changes")

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/\S*preferences/confirm/\S+/)")


@pytest.fixture
def member(db):
    return MemberFactory(user=UserFactory(email="dana@example.com", first_name="Dana"))


@pytest.fixture
def consenting(member):
    services.record_consent(
        member.user, purpose="marketing", channel="email", action="grant", source="import"
    )
    return member


def pending_link(user, mailoutbox):
    services.record_consent(
        user, purpose="marketing", channel="email", action="grant", source="join"
    )
    # transaction=True: on_commit callbacks ran, the link was mailed.
    return CONFIRM_LINK.search(mailoutbox[-1].body).group(1)


def test_the_same_link_followed_twice_at_once_confirms_once(member, mailoutbox):
    link = pending_link(member.user, mailoutbox)
    responses, _ = run_in_threads(lambda i: Client().post(link), 2)
    assert [r.status_code for r in responses] == [200, 200]
    pages = sorted("already confirmed" in r.content.decode() for r in responses)
    assert pages == [False, True]
    assert ConsentRecord.objects.filter(source=ConsentRecord.SOURCE_DOI).count() == 1
    assert services.has_consent(member.user, purpose="marketing", channel="email")


def test_two_one_click_posts_at_once_withdraw_once(consenting):
    token = make_unsubscribe_token(consenting.user.pk, message="campaign:1/outbox:1")
    url = reverse("loyalty:unsubscribe-one-click", args=[token])
    responses, _ = run_in_threads(lambda i: Client().post(url), 2)
    assert [r.status_code for r in responses] == [200, 200]
    assert ConsentRecord.objects.filter(action="withdraw").count() == 1


def test_the_same_webhook_delivered_twice_at_once_applies_once(consenting, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    bounce = ses_bounce(["noam@example.org", "tal@example.net"])
    complaint = ses_complaint(["dana@example.com"])

    def deliver(index):
        event, sns_id = (bounce, "sns-1") if index % 2 else (complaint, "sns-2")
        return ses_post(Client(), event, sns_id=sns_id).status_code

    statuses, _ = run_in_threads(deliver, 4)
    assert statuses == [200] * 4
    assert TrackingEvent.objects.count() == 3
    assert Suppression.objects.count() == 3
    assert ConsentRecord.objects.filter(action="withdraw").count() == 1


def test_an_unsubscribe_racing_an_erasure_never_stores_the_poster(consenting):
    token = make_unsubscribe_token(consenting.user.pk, message="campaign:1/outbox:1")
    url = reverse("loyalty:unsubscribe-one-click", args=[token])
    user = consenting.user

    def act(index):
        if index == 0:
            return erase_user(user, source=ErasureRequest.STAFF)
        return Client(REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Mailbox/1.0").post(url)

    results, _ = run_in_threads(act, 2)
    assert len(results) == 2
    assert not ConsentRecord.objects.filter(ip_address="198.51.100.4").exists()
    assert not ConsentRecord.objects.filter(user=user).exists()
    assert not ConsentRecord.objects.filter(user_agent="Mailbox/1.0").exists()


def test_a_confirmation_racing_an_address_change_never_grants_the_new_address(member, mailoutbox):
    link = pending_link(member.user, mailoutbox)

    def act(index):
        if index == 0:
            user = get_user_model().objects.get(pk=member.user.pk)
            user.email = "dana.new@example.com"
            user.save()
            return "changed"
        return Client().post(link).status_code

    results, _ = run_in_threads(act, 2)
    assert sorted(map(str, results)) == ["200", "changed"]
    state = ConsentState.objects.get(user=member.user, channel="email")
    assert state.status == ConsentState.PENDING
    assert state.email_hash == email_hash("dana.new@example.com")
    assert not services.has_consent(member.user, purpose="marketing", channel="email")
