"""System checks for the referral settings; each message names the exact setting."""

from __future__ import annotations

from django.apps import apps
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

from oscar_loyalty import app_settings
from oscar_loyalty.app_settings import PREFIX
from oscar_loyalty.checks import _int_between


def _error(name: str, message: str) -> Error:
    return Error(f"{PREFIX}{name} {message}", id=f"oscar_loyalty.E_{name}")


def _choice(name: str, choices: tuple[str, ...]) -> list[Error]:
    value = getattr(app_settings, name)
    if value not in choices:
        return [_error(name, f"must be one of {', '.join(choices)}; it is {value!r}.")]
    return []


def _cap(name: str) -> list[Error]:
    value = getattr(app_settings, name)
    if value is None:
        return []
    return _int_between(name, 1, 10**6)


@register(Tags.compatibility)
def check_referral_settings(app_configs=None, **kwargs) -> list:
    errors: list = []
    errors += _int_between("REFERRALS_CODE_LENGTH", 6, 32)
    errors += _int_between("REFERRALS_ATTRIBUTION_DAYS", 1, 3650)
    errors += _int_between("REFERRALS_FRIEND_VOUCHER_DAYS", 1, 3650)
    errors += _int_between("REFERRALS_FRIEND_POINTS", 0, 10**9)
    errors += _int_between("REFERRALS_REFERRER_POINTS", 0, 10**9)
    errors += _cap("REFERRALS_MONTHLY_CAP")
    errors += _cap("REFERRALS_TOTAL_CAP")
    errors += _choice("REFERRALS_FRIEND_REWARD", ("voucher", "points", "none"))
    errors += _choice("REFERRALS_REFERRER_REWARD", ("points", "voucher", "none"))
    if app_settings.REFERRALS_REFERRER_REWARD == "voucher" and not (
        app_settings.REFERRALS_REFERRER_OFFER
    ):
        errors.append(
            _error(
                "REFERRALS_REFERRER_OFFER",
                "must name a voucher offer (its slug) when "
                'REFERRALS_REFERRER_REWARD is "voucher".',
            )
        )
    if (
        app_settings.REFERRALS_FRIEND_REWARD == "voucher"
        and not app_settings.REFERRALS_FRIEND_OFFER
    ):
        errors.append(
            Warning(
                f'{PREFIX}REFERRALS_FRIEND_REWARD is "voucher" but {PREFIX}REFERRALS_FRIEND_OFFER '
                "(the slug of a voucher offer) is empty: new customers get no voucher.",
                id="oscar_loyalty.W_REFERRALS_FRIEND_OFFER",
            )
        )
    uses_points = "points" in (
        app_settings.REFERRALS_FRIEND_REWARD,
        app_settings.REFERRALS_REFERRER_REWARD,
    )
    if uses_points and not apps.is_installed("oscar_loyalty.apps.points"):
        errors.append(
            _error(
                "REFERRALS_REFERRER_REWARD",
                'or REFERRALS_FRIEND_REWARD is "points" but the points app '
                "(oscar_loyalty.apps.points) is not installed.",
            )
        )
    path = app_settings.REFERRALS_PAYMENT_FINGERPRINT
    if path:
        try:
            import_string(path)
        except ImportError:
            errors.append(_error("REFERRALS_PAYMENT_FINGERPRINT", f"cannot import {path!r}."))
    try:
        attempts, seconds = app_settings.REFERRALS_RATE_LIMIT
        valid = attempts > 0 and seconds > 0
    except (TypeError, ValueError):
        valid = False
    if not valid:
        errors.append(
            _error("REFERRALS_RATE_LIMIT", "must be (attempts, seconds), both above zero.")
        )
    return errors
