"""The mobile number on the member's profile: hostile input read or refused, E.164 stored, and
a change of number recorded in the consent ledger, with SMS going to the new number only after
its own consent (docs/sms.md, "Phone numbers")."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState
from oscar_loyalty.apps.membership import services
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.phones import mobile_form_field, number_hash

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # a Tuesday, no quiet hours


@pytest.fixture
def shopper(client):
    user = UserFactory(email="shopper@example.com", first_name="Dana")
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "typed",
    [
        "0527654321",
        "052-765-4321",
        "052 765 4321",
        "+972 52-765-4321",
        "+972527654321",
        "00972527654321",
        "(052) 765.4321",
        "０５２７６５４３２１",  # full-width digits
        "\u200f052-765-4321\u200f",  # RTL marks around a number copied from Hebrew text
        "\u202a+972 52 765 4321\u202c",  # LTR embedding
        " 052\u200b7654321 ",  # a zero-width space
    ],
)
def test_a_mobile_number_typed_in_any_usual_way_is_stored_in_e164(typed):
    field = mobile_form_field(required=False)
    assert str(field.clean(typed)) == "+972527654321"


@pytest.mark.parametrize(
    "typed, error",
    [
        ("phone", "valid mobile number"),
        ("05x-765-4321", "valid mobile number"),
        ("052-765-432", "valid mobile number"),  # a digit short
        ("+1 ab", "valid mobile number"),
        ("03-123-4567", "landline"),  # Tel Aviv, a fixed line
        ("+972 4-812-3456", "landline"),  # Haifa
    ],
)
def test_letters_a_short_number_or_a_landline_is_refused_with_a_clear_error(typed, error):
    from django.core.exceptions import ValidationError

    field = mobile_form_field(required=False)
    with pytest.raises(ValidationError) as refused:
        field.clean(typed)
    assert error in " ".join(refused.value.messages)


def test_the_errors_are_in_hebrew_for_a_hebrew_page():
    from django.core.exceptions import ValidationError

    with translation.override("he"):
        field = mobile_form_field(required=False)
        for typed in ("phone", "03-123-4567"):
            with pytest.raises(ValidationError) as refused:
                field.clean(typed)
            message = " ".join(str(m) for m in refused.value.messages)
            assert any("\u0590" <= char <= "\u05ff" for char in message), message


def test_the_region_is_read_when_the_form_is_built(settings):
    settings.OSCAR_LOYALTY_PHONE_REGION = "GB"
    assert str(mobile_form_field(required=False).clean("07400 123456")) == "+447400123456"


def test_a_member_enters_a_number_on_the_profile_and_consents_to_sms_for_it(
    client, shopper, free_plan
):
    services.join_club(shopper)
    page = client.get(reverse("loyalty:profile")).content.decode()
    assert 'name="phone"' in page and 'type="tel"' in page and 'name="consent_sms"' in page
    data = {"customer_type": "private", "phone": "‏052-765-4321", "consent_sms": "on"}
    assert client.post(reverse("loyalty:profile"), data).status_code == 302
    member = Member.objects.get(user=shopper)
    assert str(member.phone) == "+972527654321"
    assert consent.has_consent(fresh(shopper), purpose="marketing", channel="sms")
    assert not consent.has_consent(fresh(shopper), purpose="marketing", channel="whatsapp")
    state = ConsentState.objects.get(user=shopper, channel="sms")
    assert state.email_hash == number_hash("+972527654321", "sms")


def test_a_profile_post_without_the_phone_field_keeps_the_number(client, shopper, free_plan):
    services.join_club(shopper)
    Member.objects.filter(user=shopper).update(phone="+972527654321")
    assert client.post(reverse("loyalty:profile"), {"customer_type": "private"}).status_code == 302
    assert str(Member.objects.get(user=shopper).phone) == "+972527654321"


def test_an_invalid_number_on_the_profile_changes_nothing(client, shopper, free_plan):
    services.join_club(shopper)
    response = client.post(
        reverse("loyalty:profile"), {"customer_type": "private", "phone": "03-123-4567"}
    )
    assert response.status_code == 200 and "landline" in response.content.decode()
    assert Member.objects.get(user=shopper).phone == ""


def fresh(user):
    """The user as stored: ``has_consent`` reads the number through ``user.loyalty_member``."""
    return type(user).objects.get(pk=user.pk)


def consent_sms(member):
    consent.record_consent(
        member.user,
        purpose="marketing",
        channel="sms",
        action=ConsentRecord.GRANT,
        source=ConsentRecord.SOURCE_PREFERENCES,
    )


def test_changing_the_number_records_that_the_old_numbers_consent_no_longer_applies(
    client, shopper, free_plan
):
    services.join_club(shopper)
    services.change_phone(Member.objects.get(user=shopper), phone="052-765-4321")
    consent_sms(Member.objects.get(user=shopper))
    assert consent.has_consent(fresh(shopper), purpose="marketing", channel="sms")

    response = client.post(
        reverse("loyalty:profile"), {"customer_type": "private", "phone": "054-411-2222"}
    )
    assert response.status_code == 302
    member = Member.objects.get(user=shopper)
    assert str(member.phone) == "+972544112222" and member.phone_changed_at is not None
    assert not consent.has_consent(fresh(shopper), purpose="marketing", channel="sms")
    record = ConsentRecord.objects.filter(user=shopper, channel="sms").latest("pk")
    assert (record.action, record.source) == (ConsentRecord.WITHDRAW, "address_change")
    assert record.email_hash == number_hash("+972527654321", "sms")  # the old number
    assert record.evidence["reason"] == "number_changed"
    assert record.evidence["new_number_hash"] == number_hash("+972544112222", "sms")
    # The page offers consent for the new number.
    page = client.get(reverse("loyalty:profile")).content.decode()
    assert 'name="consent_sms"' in page and "does not apply to the new one" in page

    # Posting the same number again records nothing more (idempotent).
    records = ConsentRecord.objects.count()
    client.post(reverse("loyalty:profile"), {"customer_type": "private", "phone": "0544112222"})
    assert ConsentRecord.objects.count() == records


def test_two_tabs_changing_the_number_each_withdraw_the_number_stored_then(shopper, free_plan):
    services.join_club(shopper)
    first_tab = Member.objects.get(user=shopper)
    services.change_phone(first_tab, phone="052-765-4321")
    consent_sms(first_tab)
    stale = Member.objects.get(user=shopper)  # the second tab's copy: +972527654321

    services.change_phone(first_tab, phone="054-411-2222")
    consent.grant_consent(shopper, channel="sms", source="preferences")  # for 054
    services.change_phone(stale, phone="053-333-4444")  # the stale tab, saved later

    member = Member.objects.get(user=shopper)
    assert str(member.phone) == "+972533334444"
    withdrawals = ConsentRecord.objects.filter(
        user=shopper, channel="sms", action=ConsentRecord.WITHDRAW
    ).order_by("pk")
    # Each withdrawal names the number stored at the time, not the stale copy's.
    assert [w.email_hash for w in withdrawals] == [
        number_hash("+972527654321", "sms"),
        number_hash("+972544112222", "sms"),
    ]
    assert not consent.has_consent(fresh(shopper), purpose="marketing", channel="sms")


def test_no_sms_goes_to_a_new_number_before_its_own_consent(shopper, free_plan, settings):
    from oscar_loyalty.apps.newsletter import fanout, sending
    from oscar_loyalty.apps.newsletter.channels import test as test_backend
    from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter
    from oscar_loyalty.exceptions import EmptyAudience

    settings.OSCAR_LOYALTY_QUIET_DATES = ["2026-12-25"]
    test_backend.reset()
    services.join_club(shopper)
    member = Member.objects.get(user=shopper)
    services.change_phone(member, phone="052-765-4321")
    consent_sms(member)
    services.change_phone(member, phone="054-411-2222")
    newsletter = Newsletter.objects.create(title="n", subject="s", language="en", live=True)

    def send():
        campaign = Campaign.objects.create(
            name="c", newsletter=newsletter, channels=["sms"], sms_text="Sale"
        )
        try:
            fanout.fan_out(campaign, now=NOON)
        except EmptyAudience:
            return "EmptyAudience"
        sending.process_campaign(campaign.pk, now=NOON)
        return sorted(m.to for call in test_backend.outbox for m in call["messages"])

    assert send() == "EmptyAudience"
    consent.grant_consent(shopper, channel="sms", source="preferences")
    assert send() == ["+972544112222"]
    test_backend.reset()


def test_a_number_given_when_joining_is_stored_and_the_sms_consent_is_bound_to_it(
    client, shopper, free_plan
):
    page = client.get(reverse("loyalty:join")).content.decode()
    assert 'name="phone"' in page
    data = {"plan": free_plan.pk, "phone": "+972 52 765 4321", "consent_sms": "on"}
    assert client.post(reverse("loyalty:join"), data).status_code == 302
    assert str(Member.objects.get(user=shopper).phone) == "+972527654321"
    state = ConsentState.objects.get(user=shopper, channel="sms")
    assert state.email_hash == number_hash("+972527654321", "sms")
    assert consent.has_consent(fresh(shopper), purpose="marketing", channel="sms")


def test_a_landline_given_when_joining_is_refused_and_nobody_joins(client, shopper, free_plan):
    data = {"plan": free_plan.pk, "phone": "03-123-4567"}
    response = client.post(reverse("loyalty:join"), data)
    assert response.status_code == 200 and "landline" in response.content.decode()
    assert not Member.objects.filter(user=shopper).exists()
