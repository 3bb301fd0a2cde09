"""System checks for the partner and in-store settings; each names the setting."""

from __future__ import annotations

from django.core.checks import Error, Tags, register

from oscar_loyalty import app_settings
from oscar_loyalty.app_settings import PREFIX
from oscar_loyalty.checks import _int_between, rate_limit_problems


@register(Tags.compatibility)
def check_partner_settings(app_configs=None, **kwargs) -> list:
    errors: list = []
    errors += _int_between("PARTNERS_TIMESTAMP_TOLERANCE", 5, 3600)
    errors += rate_limit_problems("PARTNERS_RATE_LIMIT")
    errors += rate_limit_problems("PARTNERS_AUTH_FAILURE_LIMIT")
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
