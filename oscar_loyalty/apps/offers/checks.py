"""System checks for member prices and gifts; each message names the exact setting."""

from __future__ import annotations

from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from oscar_loyalty import app_settings
from oscar_loyalty.app_settings import PREFIX

WELCOME_GIFTS = ("none", "voucher", "points")


@register(Tags.compatibility)
def check_member_prices_selector(app_configs=None, **kwargs) -> list:
    """Warn when member prices exist but Oscar would never charge them."""
    from .models import MemberPrice, TierDiscount
    from .strategy import is_member_selector_active

    if is_member_selector_active():
        return []
    try:
        in_use = MemberPrice.objects.exists() or TierDiscount.objects.exists()
    except DatabaseError:  # not migrated yet
        return []
    if not in_use:
        return []
    return [
        Warning(
            "Member prices or tier discounts exist, but Oscar's "
            '"partner.strategy" Selector is not oscar_loyalty\'s, so nobody pays them.',
            hint='Set OSCAR_DYNAMIC_CLASS_LOADER = "oscar_loyalty.loading.class_loader", '
            "or fork Oscar's partner app with a strategy.py of one line: "
            '"from oscar_loyalty.apps.offers.strategy import Selector".',
            id="oscar_loyalty.W_MEMBER_PRICE_SELECTOR",
        )
    ]


def _days(name: str, high: int = 366) -> list[Error]:
    value = getattr(app_settings, name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        return [
            Error(
                f"{PREFIX}{name} must be a whole number of days from 0 to {high}; "
                f"it is {value!r}.",
                id=f"oscar_loyalty.E_{name}",
            )
        ]
    return []


@register(Tags.compatibility)
def check_gift_settings(app_configs=None, **kwargs) -> list:
    errors: list = []
    for name in (
        "WELCOME_VOUCHER_DAYS",
        "BIRTHDAY_DAYS_BEFORE",
        "BIRTHDAY_DAYS_AFTER",
        "BIRTHDAY_CHANGE_BLOCK_DAYS",
    ):
        errors += _days(name)
    gift = app_settings.WELCOME_GIFT
    if gift not in WELCOME_GIFTS:
        errors.append(
            Error(
                f"{PREFIX}WELCOME_GIFT must be one of {list(WELCOME_GIFTS)}; it is {gift!r}.",
                id="oscar_loyalty.E_WELCOME_GIFT",
            )
        )
    elif gift == "voucher" and not app_settings.WELCOME_OFFER:
        errors.append(
            Error(
                f'{PREFIX}WELCOME_GIFT is "voucher" but {PREFIX}WELCOME_OFFER (the slug '
                "of a voucher offer) is not set.",
                id="oscar_loyalty.E_WELCOME_OFFER",
            )
        )
    elif gift == "points":
        from django.apps import apps

        if not apps.is_installed("oscar_loyalty.apps.points"):
            errors.append(
                Error(
                    f'{PREFIX}WELCOME_GIFT is "points" but the points app '
                    '("oscar_loyalty.apps.points.apps.PointsConfig") is not installed.',
                    id="oscar_loyalty.E_WELCOME_GIFT",
                )
            )
        points = app_settings.WELCOME_POINTS
        if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
            errors.append(
                Error(
                    f'{PREFIX}WELCOME_GIFT is "points", so {PREFIX}WELCOME_POINTS must be a '
                    f"positive whole number; it is {points!r}.",
                    id="oscar_loyalty.E_WELCOME_POINTS",
                )
            )
    return errors


@register(Tags.compatibility)
def check_gift_offers(app_configs=None, **kwargs) -> list:
    """Gift vouchers must sit on a members-only voucher offer, or anyone could use them."""
    from .services import member_offers

    problems = []
    for name in ("WELCOME_OFFER", "BIRTHDAY_OFFER"):
        slug = getattr(app_settings, name)
        if not slug:
            continue
        try:
            found = member_offers().filter(slug=slug, offer_type="Voucher").exists()
        except DatabaseError:  # not migrated yet
            return []
        if not found:
            problems.append(
                Warning(
                    f"{PREFIX}{name} is {slug!r}, which is not the slug of a members-only "
                    "voucher offer: gift vouchers would fail or work for anyone.",
                    hint="Create it under Customer club > Club promotions; the list shows slugs.",
                    id=f"oscar_loyalty.W_{name}",
                )
            )
    return problems
