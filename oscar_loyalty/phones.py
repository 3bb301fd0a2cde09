"""Mobile numbers: parsed and stored in E.164, named in hashes per channel.

Numbers entered without a country code are read in ``OSCAR_LOYALTY_PHONE_REGION``
(Israel: ``050-123-4567`` is ``+972501234567``). Like an email address, a number
is kept in clear only on the member; suppressions, evidence and the outbox name
it by a keyed hash. The suppression list's hash is per channel (``sms:…``,
``whatsapp:…``): a number that cannot take SMS may still be on WhatsApp, and a
refusal by SMS reply is a refusal of SMS (§30A(d): "in the way the
advertisement was sent").
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumber_field.modelfields import PhoneNumberField
from phonenumbers import timezone as number_timezones

from oscar_loyalty.hashing import EMAIL, keyed_hasher


class InvalidPhoneNumber(ValueError):
    pass


def parse(value: str, *, region: str | None = None) -> phonenumbers.PhoneNumber:
    from oscar_loyalty import app_settings

    try:
        number = phonenumbers.parse(str(value or ""), region or app_settings.PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(f"not a valid number: {value!r}")
    return number


def to_e164(value, *, region: str | None = None) -> str:
    """``"050-123 4567"`` → ``"+972501234567"``; raises ``InvalidPhoneNumber``."""
    if isinstance(value, phonenumbers.PhoneNumber):
        number = value
    else:
        number = parse(str(value), region=region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def number_hasher(channel: str) -> Callable[[str], str]:
    """``e164 -> hash`` for one channel, the key read once (the email hash's key and scheme).

    The channel is part of the hashed text, so a suppression on one channel
    never blocks another, and the hashes cannot collide with email addresses
    (an E.164 number has no ``@``).
    """
    hash_text = keyed_hasher(EMAIL)

    def hash_number(e164: str) -> str:
        return hash_text(f"{channel}:{e164}")

    return hash_number


def number_hash(e164: str, channel: str) -> str:
    return number_hasher(channel)(e164)


def stored_numbers(user_ids) -> dict[int, str]:
    """``{user id: E.164}`` of the members of ``user_ids`` that have a number, read as stored.

    The field keeps E.164 text; reading it through the model field would parse
    and validate every number again (most of a 100k SMS send's time).
    """
    from django.apps import apps
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from oscar_loyalty.lookups import any_of

    return dict(
        apps.get_model("loyalty_membership", "Member")
        .objects.filter(any_of("user_id", list(user_ids)))
        .exclude(phone="")
        .annotate(e164=Cast("phone", output_field=CharField()))
        .values_list("user_id", "e164")
    )


def time_zone(e164: str, default: str) -> ZoneInfo:
    """The time zone of the number's country if it has one (Israel), else ``default``.

    Cached by the number's first digits (country code and area), which is all
    the time zone depends on.
    """
    key = (e164[:6], default)
    zone = _ZONES.get(key)
    if zone is None:
        zone = _ZONES[key] = _time_zone(e164, default)
    return zone


_ZONES: dict[tuple[str, str], ZoneInfo] = {}


def _time_zone(e164: str, default: str) -> ZoneInfo:

    try:
        zones = number_timezones.time_zones_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        zones = ()
    name = zones[0] if len(zones) == 1 and zones[0] != "Etc/Unknown" else default
    return ZoneInfo(name)


class MobileNumberField(PhoneNumberField):
    """django-phonenumber-field's field (E.164 in the database), read in ``PHONE_REGION``.

    The region is read when a number is parsed, never frozen into a migration:
    a store elsewhere changes one setting.
    """

    @property
    def region(self):
        from oscar_loyalty import app_settings

        return self._region or app_settings.PHONE_REGION


def mobile_form_field(**kwargs):
    """django-phonenumber-field's form field for a **mobile** number, read in ``PHONE_REGION``.

    Built when a form is (``__init__``), never at import, so the region is the
    setting's current value. A landline is refused: the number is for SMS and
    WhatsApp, which a fixed line cannot take (in Israel a number of the
    ``FIXED_LINE_OR_MOBILE`` kind is accepted). Stored in E.164.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy as _
    from phonenumber_field.formfields import PhoneNumberField as PhoneNumberFormField

    from oscar_loyalty import app_settings

    region = app_settings.PHONE_REGION
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    example_text = (
        phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
        if example
        else "+972 50-123-4567"
    )

    # Full-width digits, RTL/LTR marks and zero-width spaces (a number copied
    # from a Hebrew text) need nothing here: ``phonenumbers`` reads the digits
    # of any script and skips the rest (tests/apps/membership/test_phone.py).
    class MobileNumberFormField(PhoneNumberFormField):
        def validate(self, value):
            super().validate(value)
            if value in self.empty_values or not getattr(value, "is_valid", lambda: False)():
                return
            kind = phonenumbers.number_type(value)
            if kind not in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            ):
                raise ValidationError(self.error_messages["not_mobile"], code="not_mobile")

    invalid = _("Enter a valid mobile number, such as %(example)s or +972 50-123-4567.") % {
        "example": example_text
    }
    kwargs.setdefault("label", _("Mobile phone"))
    return MobileNumberFormField(
        region=region,
        error_messages={
            "invalid": invalid,
            "not_mobile": _(
                "This is a landline number: enter a mobile number, which can receive SMS."
            ),
        },
        **kwargs,
    )
