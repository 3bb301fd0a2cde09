"""System checks for the partner and in-store settings; each names the setting."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

from oscar_loyalty import app_settings
from oscar_loyalty.app_settings import PREFIX
from oscar_loyalty.checks import _int_between


def _limit(name: str) -> list[Error]:
    try:
        attempts, seconds = getattr(app_settings, name)
    except (TypeError, ValueError):
        attempts = seconds = 0
    if attempts < 1 or seconds < 1:
        raw = getattr(settings, PREFIX + name, None)
        return [
            Error(
                f"{PREFIX}{name} must be (attempts, seconds), both at least 1; it is {raw!r}.",
                id=f"oscar_loyalty.E_{name}",
            )
        ]
    return []


@register(Tags.compatibility)
def check_partner_settings(app_configs=None, **kwargs) -> list:
    errors: list = []
    errors += _int_between("PARTNERS_TIMESTAMP_TOLERANCE", 5, 3600)
    errors += _limit("PARTNERS_RATE_LIMIT")
    errors += _limit("PARTNERS_AUTH_FAILURE_LIMIT")
    prefix = app_settings.INSTORE_ORDER_NUMBER_PREFIX
    if not isinstance(prefix, str) or len(prefix) > 20:
        errors.append(
            Error(
                f"{PREFIX}INSTORE_ORDER_NUMBER_PREFIX must be text of at most 20 characters; "
                f"it is {prefix!r}.",
                id="oscar_loyalty.E_INSTORE_ORDER_NUMBER_PREFIX",
            )
        )
    return errors
