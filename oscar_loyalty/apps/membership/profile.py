"""Member profiles: the profile's fields, the names the mails greet with, the mobile number.

Split out of ``services`` (which re-exports each name), by role. As there, every
change locks the member row in one transaction; a number change locks the user
first, the consent services' order.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from oscar_loyalty.apps.consent import services as consent_services

from .models import Member

PROFILE_FIELDS = (
    "birthday",
    "preferred_channels",
    "notice_channel",
    "city",
    "region",
    "customer_type",
    "business_name",
    "budget_min",
    "budget_max",
    "language",
)


def update_profile(
    member: Member, *, interests=None, now: datetime | None = None, **fields
) -> Member:
    """Save profile fields; a changed birthday remembers when it changed.

    The birthday-gift feature refuses a gift for a birthday changed recently,
    so moving one's birthday to today does not earn a present.
    """
    now = now or timezone.now()
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if "birthday" in fields and fields["birthday"] != locked.birthday:
            locked.birthday_changed_at = now if locked.birthday is not None else None
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["user", "plan", "tier", "number"])
        locked.save()
        if interests is not None:
            locked.interests.set(interests)
    return locked


def record_names(user, *, first_name: str, last_name: str = "") -> None:
    """Keep the names the club's mails greet with ("Hello Dana,", not "Hello,")."""
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name and not last_name:
        return
    user.first_name, user.last_name = first_name or user.first_name, last_name or user.last_name
    user.save(update_fields=["first_name", "last_name"])


NUMBER_CHANNELS = ("sms", "whatsapp")


def change_phone(
    member: Member,
    *,
    phone,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Member:
    """Give the member a new mobile number (E.164, or empty to remove it).

    SMS and WhatsApp consent is bound to the number it was given for: when the
    number changes, each of those consents still granted (or pending) for the
    old number gets a withdrawal in the consent ledger, naming the old
    number's hash, the time and "number changed" as evidence. The new number
    has no consent until the member gives it (the profile form offers it).
    The user row is locked first (the consent services' order), then the
    member; the old number is the one stored, not the caller's copy (another
    tab may have changed it meanwhile). Idempotent: the number the member
    already has changes nothing.
    """
    from oscar_loyalty import phones
    from oscar_loyalty.apps.consent.models import ConsentRecord, ConsentState

    now = now or timezone.now()
    new = phones.to_e164(phone) if phone else ""
    with transaction.atomic():
        user = consent_services.lock_user(member.user)
        locked = Member.objects.select_for_update().get(pk=member.pk)
        old = phones.to_e164(locked.phone) if locked.phone else ""
        if old == new:
            return locked
        if old and user is not None and not consent_services.is_erased_user(user):
            granted = ConsentState.objects.select_for_update().filter(
                user=user,
                channel__in=NUMBER_CHANNELS,
                status__in=[ConsentState.GRANTED, ConsentState.PENDING],
            )
            for state in granted:
                consent_services.record_consent(
                    user,
                    purpose=state.purpose,
                    channel=state.channel,
                    action=ConsentRecord.WITHDRAW,
                    source=ConsentRecord.SOURCE_ADDRESS_CHANGE,
                    request=request,
                    evidence={
                        "reason": "number_changed",
                        "previous_number_hash": phones.number_hash(old, state.channel),
                        "new_number_hash": phones.number_hash(new, state.channel) if new else "",
                    },
                    now=now,
                )
        locked.phone = new
        locked.phone_changed_at = now if old else None
        locked.save(update_fields=["phone", "phone_changed_at", "updated_at"])
    return locked
