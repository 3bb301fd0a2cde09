import re

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent import services
from oscar_loyalty.apps.consent.hashing import email_hash, email_hasher
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState, Suppression
from oscar_loyalty.models_base import AppendOnlyError

pytestmark = pytest.mark.django_db


def grant(user, source=ConsentRecord.SOURCE_PREFERENCES, **kwargs):
    return services.record_consent(
        user,
        purpose="marketing",
        channel="email",
        action=ConsentRecord.GRANT,
        source=source,
        **kwargs,
    )


def test_a_form_grant_of_marketing_email_stays_pending_until_the_link_is_followed(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grant(member.user)
    assert ConsentState.objects.get(user=member.user).status == ConsentState.PENDING
    assert not services.has_consent(member.user, purpose="marketing", channel="email")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["dana@example.com"]
    path = re.search(r"https?://[^/\s]+(/\S+/confirm/\S+/)", mailoutbox[0].body).group(1)

    assert b"<form" in client.get(path).content  # a GET only shows the button
    assert ConsentState.objects.get(user=member.user).status == ConsentState.PENDING

    client.post(path)
    state = ConsentState.objects.get(user=member.user)
    assert state.status == ConsentState.GRANTED
    assert state.last_record.source == ConsentRecord.SOURCE_DOI
    assert services.has_consent(member.user, purpose="marketing", channel="email")
    # The member's original grant is still there, unchanged, as evidence.
    assert list(
        ConsentRecord.objects.filter(user=member.user).values_list("source", flat=True)
    ) == [ConsentRecord.SOURCE_DOI, ConsentRecord.SOURCE_PREFERENCES]


def test_following_a_confirmation_link_after_withdrawing_grants_nothing(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grant(member.user)
    path = re.search(r"https?://[^/\s]+(/\S+/confirm/\S+/)", mailoutbox[0].body).group(1)
    services.withdraw_consent(member.user, source=ConsentRecord.SOURCE_PREFERENCES)
    client.post(path)
    assert ConsentState.objects.get(user=member.user).status == ConsentState.WITHDRAWN


def test_a_tampered_confirmation_link_is_refused_and_changes_nothing(client, member):
    grant(member.user)
    response = client.post(reverse("loyalty:consent-confirm", args=["abc:def"]))
    assert response.status_code == 400
    assert ConsentState.objects.get(user=member.user).status == ConsentState.PENDING


def test_sms_consent_needs_no_double_opt_in(member):
    services.record_consent(
        member.user, purpose="marketing", channel="sms", action="grant", source="join"
    )
    assert services.has_consent(member.user, purpose="marketing", channel="sms")


def test_double_opt_in_can_be_turned_off(member, settings):
    settings.OSCAR_LOYALTY_DOUBLE_OPT_IN = False
    grant(member.user)
    assert services.has_consent(member.user, purpose="marketing", channel="email")


def test_each_record_keeps_wording_source_evidence_and_the_address_hash(member, rf):
    request = rf.post("/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox")
    record = grant(member.user, request=request, evidence={"form": "preferences"})
    record.refresh_from_db()
    assert record.wording_version and "advertising" in record.wording_text
    assert (record.ip_address, record.user_agent) == ("203.0.113.9", "Firefox")
    assert record.email_hash == email_hash("DANA@example.com ")
    assert record.evidence == {"form": "preferences"}


def test_consent_records_are_never_changed_or_deleted(member):
    record = grant(member.user)
    record.source = "staff"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.filter(pk=record.pk).delete()


def test_the_state_follows_the_newest_record_and_can_be_rebuilt_from_the_ledger(member):
    grant(member.user, source=ConsentRecord.SOURCE_IMPORT)
    services.withdraw_consent(member.user, source=ConsentRecord.SOURCE_ONE_CLICK)
    ConsentState.objects.all().delete()
    assert services.rebuild_states() == 1
    assert ConsentState.objects.get(user=member.user).status == ConsentState.WITHDRAWN


def test_withdrawing_twice_writes_one_record(member):
    grant(member.user, source=ConsentRecord.SOURCE_IMPORT)
    assert services.withdraw_consent(member.user, source="one_click") is not None
    assert services.withdraw_consent(member.user, source="one_click") is None
    assert ConsentRecord.objects.filter(action="withdraw").count() == 1


def test_the_preference_centre_grants_and_withdraws_with_one_click_each(client, member):
    client.force_login(member.user)
    url = reverse("loyalty:preferences")
    page = client.get(url)
    assert page.status_code == 200 and 'name="marketing:email"' in page.content.decode()

    client.post(url, {"marketing:email": "on", "marketing:sms": "on"})
    states = services.consent_states(member.user)
    assert states[("marketing", "email")] == ConsentState.PENDING
    assert states[("marketing", "sms")] == ConsentState.GRANTED

    client.post(url, {})  # both boxes unticked
    states = services.consent_states(member.user)
    assert set(states.values()) == {ConsentState.WITHDRAWN}
    assert ConsentRecord.objects.filter(user=member.user).count() == 4


def test_the_preference_centre_needs_a_login(client):
    response = client.get(reverse("loyalty:preferences"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_suppressions_keep_a_keyed_hash_never_the_address(settings):
    services.suppress("Someone@Example.com", scope="all", reason=Suppression.HARD_BOUNCE)
    row = Suppression.objects.get()
    assert "someone" not in row.email_hash and len(row.email_hash) == 64
    assert services.is_suppressed("someone@example.com", marketing=False)
    settings.OSCAR_LOYALTY_EMAIL_HASH_KEY = "another key"
    assert not services.is_suppressed("someone@example.com", marketing=False)


def test_a_batch_hasher_gives_the_same_hashes_and_follows_the_key_it_was_made_with(settings):
    hasher = email_hasher()
    assert (
        hasher(" Dana@Example.com") == email_hash("dana@example.com") == hasher("dana@example.com")
    )
    assert hasher("noam@example.com") != hasher("dana@example.com")
    settings.OSCAR_LOYALTY_EMAIL_HASH_KEY = "another key"
    assert email_hasher()("dana@example.com") == email_hash("dana@example.com")
    assert hasher("dana@example.com") != email_hash("dana@example.com")


def test_a_marketing_suppression_does_not_stop_transactional_mail():
    services.suppress("a@example.com", scope="marketing", reason=Suppression.COMPLAINT)
    assert services.is_suppressed("a@example.com", marketing=True)
    assert not services.is_suppressed("a@example.com", marketing=False)


def test_states_of_other_users_are_separate():
    one, two = UserFactory(), UserFactory()
    grant(one, source=ConsentRecord.SOURCE_IMPORT)
    assert services.has_consent(one, purpose="marketing", channel="email")
    assert not services.has_consent(two, purpose="marketing", channel="email")
    assert list(services.granted_user_ids().values_list("user_id", flat=True)) == [one.pk]
