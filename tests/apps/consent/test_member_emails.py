import pytest

from oscar_loyalty.apps.consent import services
from oscar_loyalty.apps.consent.models import Suppression
from oscar_loyalty.mail import may_send, send_member_email

pytestmark = pytest.mark.django_db

CONTEXT = {"plan": None, "expires_at": None}


def test_an_advertising_email_needs_marketing_consent(member, mailoutbox):
    assert not send_member_email(member, email_type="birthday", context={})
    assert mailoutbox == []


def test_an_advertising_email_carries_the_prefix_footer_and_unsubscribe_headers(
    consenting_member, mailoutbox
):
    assert send_member_email(consenting_member, email_type="birthday", context={})
    message = mailoutbox[0]
    assert message.subject.startswith("פרסומת")
    assert "Oscar Loyalty Sandbox Ltd." in message.body and "/unsubscribe/" in message.body
    html = message.alternatives[0][0]
    assert "1 Rothschild Blvd" in html and "/unsubscribe/" in html
    headers = message.anymail_test_params["extra_headers"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/one-click/" in headers["List-Unsubscribe"]


def test_the_prefix_can_be_turned_off_for_stores_outside_israel(
    consenting_member, mailoutbox, settings
):
    settings.OSCAR_LOYALTY_ADVERTISING_SUBJECT_PREFIX = ""
    send_member_email(consenting_member, email_type="birthday", context={})
    assert not mailoutbox[0].subject.startswith("פרסומת")


def test_a_transactional_email_ignores_marketing_consent_but_not_a_bounce(member, mailoutbox):
    services.suppress("dana@example.com", scope="marketing", reason=Suppression.COMPLAINT)
    assert send_member_email(member, email_type="tier_changed", context=CONTEXT)
    assert "פרסומת" not in mailoutbox[0].subject
    assert "List-Unsubscribe" not in mailoutbox[0].anymail_test_params.get("extra_headers", {})
    services.suppress("dana@example.com", scope="all", reason=Suppression.HARD_BOUNCE)
    assert not send_member_email(member, email_type="tier_changed", context=CONTEXT)
    assert len(mailoutbox) == 1


def test_a_store_can_declare_another_type_advertising(member, mailoutbox, settings):
    settings.OSCAR_LOYALTY_ADVERTISING_EMAIL_TYPES = ["renewal_reminder"]
    assert not send_member_email(member, email_type="renewal_reminder", context=CONTEXT)


def test_the_last_guard_drops_hard_bounced_addresses_from_any_message(member, mailoutbox):
    from django.core.mail import EmailMessage

    services.suppress("gone@example.com", scope="all", reason=Suppression.HARD_BOUNCE)
    sent = EmailMessage("Order shipped", "…", to=["Gone <GONE@example.com>", "ok@example.com"])
    assert sent.send() == 1
    assert mailoutbox[0].anymail_test_params["to"][0].addr_spec == "ok@example.com"
    assert len(mailoutbox[0].anymail_test_params["to"]) == 1
    assert EmailMessage("Order shipped", "…", to=["gone@example.com"]).send() == 0
    assert len(mailoutbox) == 1


def test_the_last_guard_matches_bare_addresses_in_any_case_and_field(member, mailoutbox):
    from django.core.mail import EmailMessage

    services.suppress("gone@example.com", scope="all", reason=Suppression.HARD_BOUNCE)
    message = EmailMessage(
        "Order shipped",
        "…",
        to=["ok@example.com"],
        cc=["Gone@Example.COM"],
        bcc=["Someone Else <gone@example.com>", "also-ok@example.com"],
    )
    assert message.send() == 1
    params = mailoutbox[0].anymail_test_params
    assert [a.addr_spec for a in params["to"]] == ["ok@example.com"]
    assert "cc" not in params or params["cc"] == []
    assert [a.addr_spec for a in params["bcc"]] == ["also-ok@example.com"]


@pytest.mark.parametrize("email_type", ["points_expiring", "renewal_reminder", "birthday"])
def test_messages_that_urge_a_purchase_are_advertising_by_default(member, mailoutbox, email_type):
    from oscar_loyalty.mail import is_advertising

    assert is_advertising(email_type)
    assert not may_send(member.user, email_type=email_type)  # no marketing consent


def test_a_store_reclassifies_one_type_without_restating_the_others(member, settings):
    from oscar_loyalty.mail import is_advertising

    settings.OSCAR_LOYALTY_EMAIL_TYPE_CLASSES = {"points_expiring": "service"}
    assert not is_advertising("points_expiring")
    assert may_send(member.user, email_type="points_expiring")
    assert is_advertising("renewal_reminder") and not is_advertising("tier_changed")


def test_a_type_nobody_classified_is_advertising(member):
    from oscar_loyalty.mail import is_advertising

    assert is_advertising("store_custom_promo")
    assert not may_send(member.user, email_type="store_custom_promo")
