"""System checks for the privacy settings; each names the setting."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

from oscar_loyalty import app_settings
from oscar_loyalty.app_settings import PREFIX
from oscar_loyalty.checks import _int_between, _strings

RETENTION_DAYS = (
    "PRIVACY_TRACKING_EVENT_DAYS",
    "PRIVACY_REFERRAL_VISIT_DAYS",
    "PRIVACY_VISIT_DAYS",
    "PRIVACY_NEWSLETTER_EVENT_DAYS",
)


def _error(name: str, message: str) -> Error:
    raw = getattr(settings, PREFIX + name, None)
    return Error(f"{PREFIX}{name} {message}; it is {raw!r}.", id=f"oscar_loyalty.E_{name}")


def _days(name: str) -> list[Error]:
    value = getattr(app_settings, name)
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return [_error(name, "must be a whole number of days (at least 1) or None")]
    return []


@register(Tags.compatibility)
def check_privacy_settings(app_configs=None, **kwargs) -> list:
    errors: list = []
    for name in RETENTION_DAYS:
        errors += _days(name)
    errors += _int_between("PRIVACY_RETENTION_BATCH_SIZE", 1, 100_000)
    errors += _strings("PRIVACY_OPEN_ORDER_STATUSES")
    return errors
