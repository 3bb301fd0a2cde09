"""System checks for the points settings; each message names the exact setting."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from oscar_loyalty import app_settings
from oscar_loyalty.app_settings import PREFIX
from oscar_loyalty.checks import _int_between, _strings


def _error(name: str, message: str) -> Error:
    return Error(f"{PREFIX}{name} {message}", id=f"oscar_loyalty.E_{name}")


def _decimal(name: str, low: Decimal, high: Decimal | None = None) -> list[Error]:
    try:
        value = getattr(app_settings, name)
    except (InvalidOperation, TypeError, ValueError):
        return [_error(name, 'must be a number, e.g. "0.01".')]
    if value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        return [_error(name, f"must be {bound}; it is {value}.")]
    return []


@register(Tags.compatibility)
def check_points_settings(app_configs=None, **kwargs) -> list:
    errors: list = []
    errors += _int_between("POINTS_PENDING_DAYS", 0, 3650)
    errors += _int_between("POINTS_EXPIRY_REMINDER_DAYS", 0, 365)
    errors += _int_between("POINTS_RESERVATION_MINUTES", 1, 60 * 24 * 7)
    errors += _int_between("POINTS_REDEEM_MIN_POINTS", 1, 10**9)
    errors += _int_between("POINTS_REDEEM_MIN_BALANCE", 0, 10**9)
    errors += _int_between("POINTS_BATCH_SIZE", 1, 100_000)
    errors += _strings("POINTS_MATURE_STATUSES")
    errors += _strings("POINTS_EXCLUDED_PRODUCT_CLASSES")
    errors += _strings("POINTS_EXCLUDED_CATEGORIES")
    errors += _decimal("POINTS_PER_UNIT", Decimal("0"))
    errors += _decimal("POINTS_VALUE", Decimal("0.0001"))
    errors += _decimal("POINTS_REDEEM_MIN_ORDER", Decimal("0"))
    errors += _decimal("POINTS_REDEEM_MAX_SHARE", Decimal("0"), Decimal("1"))
    months = app_settings.POINTS_EXPIRY_MONTHS
    if months is not None and (
        isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 600
    ):
        errors.append(_error("POINTS_EXPIRY_MONTHS", f"must be 1-600 or None; it is {months!r}."))
    if app_settings.POINTS_ROUNDING not in ("ROUND_DOWN", "ROUND_HALF_UP", "ROUND_UP"):
        errors.append(
            _error("POINTS_ROUNDING", 'must be "ROUND_DOWN", "ROUND_HALF_UP" or "ROUND_UP".')
        )
    try:
        policy = import_string(app_settings.POINTS_EARNING_POLICY)
    except ImportError as error:
        errors.append(_error("POINTS_EARNING_POLICY", f"cannot be imported: {error}."))
    else:
        from .policies import EarningPolicy

        if not (isinstance(policy, type) and issubclass(policy, EarningPolicy)):
            errors.append(
                _error("POINTS_EARNING_POLICY", "must name a subclass of EarningPolicy.")
            )
    bonuses = app_settings.POINTS_BONUSES
    if not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in bonuses.values()
    ):
        errors.append(_error("POINTS_BONUSES", "values must be whole numbers of points >= 0."))
    for name in ("POINTS_CATEGORY_MULTIPLIERS", "POINTS_RANGE_MULTIPLIERS"):
        errors += _multipliers(name)
    return errors


def _multipliers(name: str) -> list[Error]:
    errors: list[Error] = []
    try:
        multipliers = getattr(app_settings, name)
    except (InvalidOperation, AttributeError, TypeError, ValueError):
        errors.append(_error(name, "must map slugs to numbers."))
    else:
        if any(value < 0 for value in multipliers.values()):
            errors.append(_error(name, "must not be negative."))
    return errors
