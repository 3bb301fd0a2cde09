"""Email consent is bound to the address the confirmation link was sent to."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from oscar_loyalty.apps.consent import services
from oscar_loyalty.apps.consent.hashing import email_hash
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/\S*preferences/confirm/\S+/)")


def join_pending(user, capture, mailoutbox):
    """Tick the marketing email box; returns the confirmation link mailed to the address."""
    with capture(execute=True):
        services.record_consent(
            user, purpose="marketing", channel="email", action=ConsentRecord.GRANT,
            source=ConsentRecord.SOURCE_JOIN,
        )  # fmt: skip
    mail = [m for m in mailoutbox if CONFIRM_LINK.search(m.body)][-1]
    return mail.to, CONFIRM_LINK.search(mail.body).group(1)


def change_address(client, user, new_email):
    """The member's own profile page (Oscar's form), as a member would do it."""
    client.force_login(user)
    response = client.post(
        reverse("customer:profile-update"),
        {"first_name": user.first_name, "last_name": user.last_name, "email": new_email},
    )
    assert response.status_code == 302, response.content[:500]


def state_of(user):
    return ConsentState.objects.get(user=user, purpose="marketing", channel="email")


def test_a_link_mailed_to_the_old_address_confirms_nothing_after_an_address_change(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    to, link = join_pending(member.user, django_capture_on_commit_callbacks, mailoutbox)
    assert to == ["dana@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        change_address(client, member.user, "dana.new@example.com")

    response = client.post(link)
    assert response.status_code == 200
    assert b"no longer the address" in response.content
    assert not services.has_consent(member.user, purpose="marketing", channel="email")
    assert not ConsentRecord.objects.filter(source=ConsentRecord.SOURCE_DOI).exists()


def test_an_address_change_asks_the_new_address_for_its_own_opt_in(
    client, consenting_member, mailoutbox, django_capture_on_commit_callbacks
):
    user = consenting_member.user
    assert services.has_consent(user, purpose="marketing", channel="email")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change_address(client, user, "dana.new@example.com")

    state = state_of(user)
    assert state.status == ConsentState.PENDING
    assert state.email_hash == email_hash("dana.new@example.com")
    assert not services.has_consent(user, purpose="marketing", channel="email")
    # The evidence names both addresses, hashed.
    change = state.last_record
    assert change.source == ConsentRecord.SOURCE_ADDRESS_CHANGE
    assert change.email_hash == email_hash("dana.new@example.com")
    assert change.evidence["previous_email_hash"] == email_hash("dana@example.com")
    assert "dana" not in str(change.evidence)

    confirmations = [m for m in mailoutbox if CONFIRM_LINK.search(m.body)]
    assert [m.to for m in confirmations] == [["dana.new@example.com"]]
    client.logout()  # the link works without a session
    client.post(CONFIRM_LINK.search(confirmations[0].body).group(1))
    state = state_of(user)
    assert state.status == ConsentState.GRANTED
    assert state.last_record.email_hash == email_hash("dana.new@example.com")
    assert state.last_record.evidence["sent_to"] == email_hash("dana.new@example.com")


def test_a_stale_user_object_still_records_the_current_address(member):
    stale = get_user_model().objects.get(pk=member.user.pk)
    get_user_model().objects.filter(pk=member.user.pk).update(email="dana.new@example.com")
    # "post": a channel without a number of its own names the account's address
    # (SMS and WhatsApp name the member's number: tests/apps/newsletter/test_channels.py).
    record = services.record_consent(
        stale, purpose="marketing", channel="post", action=ConsentRecord.GRANT, source="join"
    )
    assert record.email_hash == email_hash("dana.new@example.com")


def test_a_case_change_of_the_address_keeps_the_consent(client, consenting_member):
    change_address(client, consenting_member.user, "DANA@Example.com")
    assert services.has_consent(consenting_member.user, purpose="marketing", channel="email")


def test_a_unicode_address_is_bound_and_confirmed_by_its_own_hash(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    user = member.user
    user.email = "Dána.Ωmega@exämple.com"
    user.save()
    to, link = join_pending(user, django_capture_on_commit_callbacks, mailoutbox)
    client.post(link)
    state = state_of(user)
    assert state.status == ConsentState.GRANTED
    assert state.email_hash == email_hash("dána.ωmega@exämple.com")


def test_following_a_link_after_withdrawing_says_nothing_changed(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    _to, link = join_pending(member.user, django_capture_on_commit_callbacks, mailoutbox)
    assert b"Your choice is confirmed" in client.post(link).content
    services.withdraw_consent(member.user, source=ConsentRecord.SOURCE_PREFERENCES)

    response = client.post(link)  # the same link, reused
    content = response.content.decode()
    assert "Your choice is confirmed" not in content and "Thank you" not in content
    assert "withdrew" in content
    assert state_of(member.user).status == ConsentState.WITHDRAWN
    assert ConsentRecord.objects.filter(source=ConsentRecord.SOURCE_DOI).count() == 1


def test_a_replayed_link_says_it_was_already_confirmed_and_writes_nothing(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    _to, link = join_pending(member.user, django_capture_on_commit_callbacks, mailoutbox)
    client.post(link)
    records = ConsentRecord.objects.count()
    content = client.post(link).content.decode()
    assert "already confirmed" in content
    assert ConsentRecord.objects.count() == records


def test_a_confirmation_link_of_an_erased_account_is_refused(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    from oscar_loyalty.apps.privacy.erasure import erase_user

    _to, link = join_pending(member.user, django_capture_on_commit_callbacks, mailoutbox)
    erase_user(member.user, source="staff")
    assert client.post(link).status_code == 400
    assert not ConsentRecord.objects.filter(source=ConsentRecord.SOURCE_DOI).exists()


def test_an_address_written_without_save_carries_no_consent(consenting_member):
    User = get_user_model()
    User.objects.filter(pk=consenting_member.user.pk).update(email="someone.else@example.com")
    user = User.objects.get(pk=consenting_member.user.pk)
    assert not services.has_consent(user, purpose="marketing", channel="email")
    assert services.has_consent(consenting_member.user, purpose="marketing", channel="email")


def test_erasing_a_stale_copy_suppresses_the_current_address(member):
    from oscar_loyalty.apps.consent.models import Suppression
    from oscar_loyalty.apps.privacy.erasure import erase_user

    stale = get_user_model().objects.get(pk=member.user.pk)
    fresh = get_user_model().objects.get(pk=member.user.pk)
    fresh.email = "dana.new@example.com"
    fresh.save()
    erase_user(stale, source="staff")
    assert Suppression.objects.filter(email_hash=email_hash("dana.new@example.com")).exists()
    assert not services.is_suppressed("dana@example.com", marketing=True)


@pytest.mark.parametrize(
    "token", ["%00", "ü" * 300, "e30:1xaE:" + "A" * 43, ".eJzLSM3JyQcABiwCFQ:1xaE:x", "a:b:c:d"]
)
def test_hostile_confirmation_links_get_400_and_change_nothing(client, member, token):
    services.record_consent(
        member.user, purpose="marketing", channel="email", action="grant", source="join"
    )
    response = client.post(f"/club/preferences/confirm/{token}/")
    assert response.status_code in (400, 404)
    assert state_of(member.user).status == ConsentState.PENDING
