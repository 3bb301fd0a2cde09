import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from oscar_loyalty import mail, signals
from oscar_loyalty.apps.consent import services as consent
from oscar_loyalty.apps.consent.hashing import email_hash
from oscar_loyalty.apps.consent.models import ConsentRecord, Suppression
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry
from oscar_loyalty.apps.privacy import erasure
from oscar_loyalty.apps.privacy.models import ErasureRequest
from oscar_loyalty.apps.privacy.redaction import redact
from oscar_loyalty.exceptions import AlreadyErased, OrdersStillOpen, StaffAccountErasure
from oscar_loyalty.models_base import AppendOnlyError

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.JSONField,
    models.GenericIPAddressField,
)


def personal_data_left(needles: dict[str, str]) -> list[str]:
    """Every text column of every model in the database, searched for each needle."""
    found = []
    wanted = {label: value.lower() for label, value in needles.items()}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, TEXT_FIELDS) or f.get_internal_type() == "PhoneNumberField"
        ]
        if not fields:
            continue
        for values in model._base_manager.values_list("pk", *fields).iterator():
            pk, texts = values[0], values[1:]
            for field, text in zip(fields, texts, strict=True):
                haystack = str(text).lower() if text is not None else ""
                for label, needle in wanted.items():
                    if needle in haystack:
                        found.append(f"{model._meta.label}#{pk}.{field}: {label}")
    return found


def ledger(member):
    account = PointsAccount.objects.get(member=member)
    entries = PointsEntry.objects.filter(account=account)
    return (
        account.balance,
        account.pending,
        account.debt,
        entries.count(),
        entries.aggregate(total=Sum("points"))["total"],
    )


def erase_from_account(client):
    return client.post(reverse("loyalty:privacy"), {"password": PASSWORD, "confirm": "on"})


def test_the_scan_finds_the_members_data_before_erasure(full_member):
    left = personal_data_left(full_member.person.needles())
    for label in ("email", "first name", "last name", "phone", "city", "IP address", "street"):
        assert any(hit.endswith(f": {label}") for hit in left), label


def test_an_erased_member_leaves_no_personal_data_behind(full_member):
    response = erase_from_account(full_member.client)
    assert response.status_code == 302
    assert personal_data_left(full_member.person.needles()) == []


def test_erasure_keeps_orders_and_the_points_ledger_totals(full_member):
    member, order = full_member.member, full_member.order
    before = ledger(member)
    # Email and SMS consent at joining (the SMS record names the number, not the email).
    evidence = list(ConsentRecord.objects.filter(user=member.user).values_list("pk", flat=True))
    assert len(evidence) == 2
    erase_from_account(full_member.client)
    after_order = Order.objects.get(pk=order.pk)
    assert (after_order.number, after_order.total_incl_tax) == (order.number, order.total_incl_tax)
    assert after_order.lines.count() == order.lines.count()
    assert ledger(member) == before
    member.refresh_from_db()
    assert member.user is None and member.status == Member.CANCELLED
    # The consent evidence stays, without the person.
    records = ConsentRecord.objects.filter(pk__in=evidence)
    assert records.count() == 2
    assert set(records.values_list("user", "ip_address", "user_agent")) == {(None, None, "")}
    assert all(record.wording_text for record in records)


def test_the_account_is_anonymised_and_can_no_longer_sign_in(full_member, client):
    erase_from_account(full_member.client)
    user = get_user_model().objects.get(pk=full_member.user.pk)
    assert user.email.endswith("@erased.invalid") and not user.is_active
    assert not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("", "")
    assert not client.login(username=full_member.person.email, password=PASSWORD)
    # The member's own session ended with the erasure.
    assert full_member.client.get(reverse("loyalty:privacy")).status_code == 302


def test_the_old_address_is_never_mailed_again_even_after_registering_again(full_member):
    erase_from_account(full_member.client)
    assert consent.is_suppressed(full_member.person.email, marketing=True)
    assert Suppression.objects.get(email_hash=email_hash(full_member.person.email)).reason == (
        Suppression.ERASURE
    )
    again = UserFactory(email=full_member.person.email)
    consent.record_consent(
        again, purpose="marketing", channel="email", action=ConsentRecord.GRANT,
        source=ConsentRecord.SOURCE_IMPORT,
    )  # fmt: skip
    assert not mail.may_send(again, email_type="birthday")


def test_the_erasure_log_holds_hashes_and_counts_only(full_member):
    erase_from_account(full_member.client)
    (log,) = ErasureRequest.objects.all()
    assert log.source == ErasureRequest.MEMBER and log.staff_user is None
    assert log.member_hash == erasure.member_hash(full_member.member.number)
    assert log.email_hash == email_hash(full_member.person.email)
    assert log.summary["addresses"] >= 1 and log.summary["account"] == 1
    assert all(isinstance(count, int) for count in log.summary.values())


def test_a_wrong_password_erases_nothing(full_member):
    response = full_member.client.post(
        reverse("loyalty:privacy"), {"password": "wrong", "confirm": "on"}
    )
    assert response.status_code == 200 and response.context["form"].errors["password"]
    assert not ErasureRequest.objects.exists()
    assert get_user_model().objects.get(pk=full_member.user.pk).email == full_member.person.email


def test_a_failing_receiver_rolls_the_whole_erasure_back(full_member):
    def refuse(sender, **kwargs):
        raise RuntimeError("store's own data could not be erased")

    signals.member_erasing.connect(refuse)
    try:
        with pytest.raises(RuntimeError):
            erasure.erase_user(full_member.user, source=ErasureRequest.STAFF)
    finally:
        signals.member_erasing.disconnect(refuse)
    assert not ErasureRequest.objects.exists()
    assert Member.objects.get(pk=full_member.member.pk).city == full_member.person.city
    assert ConsentRecord.objects.filter(ip_address=full_member.person.ip).count() == 2
    assert not consent.is_suppressed(full_member.person.email, marketing=True)


def test_the_member_erasing_signal_names_the_old_address(full_member):
    seen = {}

    def receiver(sender, user, member, email, **kwargs):
        seen.update(member=member.pk, email=email, still_named=user.email)

    signals.member_erasing.connect(receiver)
    try:
        erasure.erase_user(full_member.user, source=ErasureRequest.STAFF)
    finally:
        signals.member_erasing.disconnect(receiver)
    email = full_member.person.email
    assert seen == {"member": full_member.member.pk, "email": email, "still_named": email}


def test_erasure_waits_for_open_orders_and_refuses_staff_and_repeats(full_member):
    Order.objects.filter(pk=full_member.order.pk).update(status="Pending")
    with pytest.raises(OrdersStillOpen):
        erasure.erase_user(full_member.user, source=ErasureRequest.MEMBER)
    Order.objects.filter(pk=full_member.order.pk).update(status="Complete")
    erasure.erase_user(full_member.user, source=ErasureRequest.MEMBER)
    with pytest.raises(AlreadyErased):
        erasure.erase_user(full_member.user, source=ErasureRequest.MEMBER)
    with pytest.raises(StaffAccountErasure):
        erasure.erase_user(UserFactory(is_staff=True), source=ErasureRequest.STAFF)


def test_redaction_is_limited_to_the_listed_fields(full_member):
    records = ConsentRecord.objects.filter(user=full_member.user)
    with pytest.raises(AppendOnlyError):
        redact(records, wording_text="")
    with pytest.raises(AppendOnlyError):
        redact(PointsEntry.objects.all(), points=0)
    with pytest.raises(AppendOnlyError):
        redact(Member.objects.all(), city="")  # not an append-only record at all
    with pytest.raises(AppendOnlyError):
        records.update(ip_address=None)  # everyone else still meets the append-only guard
    assert set(records.values_list("ip_address", flat=True)) == {full_member.person.ip}


# Staff ---------------------------------------------------------------------


@pytest.fixture
def privacy_staff(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="loyalty_privacy",
            codename__in=["export_member_data", "add_erasurerequest", "view_erasurerequest"],
        )
    )
    client.force_login(staff)
    return staff


def test_staff_download_a_customers_data(client, privacy_staff, full_member):
    url = reverse("loyalty_dashboard:loyalty-privacy-export", kwargs={"pk": full_member.user.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["sections"]["account"]["email"] == full_member.person.email


def test_staff_erase_a_customer_after_typing_their_address(client, privacy_staff, full_member):
    url = reverse("loyalty_dashboard:loyalty-privacy-erase", kwargs={"pk": full_member.user.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"confirm_email": "someone.else@example.org"})
    assert response.status_code == 200 and not ErasureRequest.objects.exists()
    response = client.post(url, {"confirm_email": full_member.person.email.upper()})
    assert response.status_code == 302
    (log,) = ErasureRequest.objects.all()
    assert (log.source, log.staff_user) == (ErasureRequest.STAFF, privacy_staff)
    assert personal_data_left(full_member.person.needles()) == []
    assert client.get(reverse("loyalty_dashboard:loyalty-privacy-erasures")).status_code == 200


def test_the_member_page_links_to_the_customers_personal_data(client, full_member):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(
        reverse("loyalty_dashboard:loyalty-member-detail", kwargs={"pk": full_member.member.pk})
    )
    target = reverse("loyalty_dashboard:loyalty-privacy-customer", args=[full_member.user.pk])
    assert target.encode() in page.content
    assert client.get(target).status_code == 200


@pytest.mark.parametrize(
    "name", ["loyalty-privacy-customer", "loyalty-privacy-export", "loyalty-privacy-erase"]
)
def test_staff_without_the_permission_get_403(client, full_member, name):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(
            codename="view_member", content_type__app_label="loyalty_membership"
        )
    )
    client.force_login(staff)
    url = reverse(f"loyalty_dashboard:{name}", kwargs={"pk": full_member.user.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm_email": full_member.person.email}).status_code == 403
    assert not ErasureRequest.objects.exists()


def test_a_shopper_who_never_joined_is_exported_and_erased_too(client, privacy_staff):
    shopper = UserFactory(email="only.shopping@example.org", first_name="Orli")
    export = client.get(
        reverse("loyalty_dashboard:loyalty-privacy-export", kwargs={"pk": shopper.pk})
    ).json()["sections"]
    assert export["account"]["email"] == "only.shopping@example.org"
    assert export["membership"] is None and export["points"] is None
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = admin.get(reverse("dashboard:user-detail", kwargs={"pk": shopper.pk}))
    privacy_url = reverse("loyalty_dashboard:loyalty-privacy-customer", args=[shopper.pk])
    assert privacy_url.encode() in page.content
    erasure.erase_user(shopper, source=ErasureRequest.STAFF, staff_user=privacy_staff)
    assert personal_data_left({"email": "only.shopping@example.org", "name": "Orli"}) == []
    assert ErasureRequest.objects.get().member_hash == ""


def test_guessing_the_password_on_the_erasure_form_is_stopped(full_member):
    url = reverse("loyalty:privacy")
    for n in range(5):
        full_member.client.post(url, {"password": f"guess{n}", "confirm": "on"})
    response = full_member.client.post(url, {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert any("Too many attempts" in str(m) for m in response.context["messages"])
    assert not ErasureRequest.objects.exists()


def test_staff_pages_still_show_an_erased_member_as_erased(client, full_member):
    erase_from_account(full_member.client)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    pk = full_member.member.pk
    listing = client.get(reverse("loyalty_dashboard:loyalty-member-list"))
    assert listing.status_code == 200 and full_member.member.number.encode() in listing.content
    detail = client.get(reverse("loyalty_dashboard:loyalty-member-detail", kwargs={"pk": pk}))
    assert detail.status_code == 200 and b"Erased" in detail.content
    points = client.get(reverse("loyalty_dashboard:loyalty-points-member", kwargs={"pk": pk}))
    assert points.status_code == 200 and b"[erased]" in points.content
    order = client.get(
        reverse("dashboard:order-detail", kwargs={"number": full_member.order.number})
    )
    assert order.status_code == 200
