"""The one place points and money are converted. Rounding is always explicit.

Spending: ``points_to_money`` rounds down (the shopper never gets a cent
more than the points are worth, as Oscar's ``Benefit.round``); charging
points for a discount rounds up (``money_to_points(..., rounding=ROUND_UP)``)
so that a discount is never given for fewer points than it is worth.
Earning: ``earn_points`` rounds with ``OSCAR_LOYALTY_POINTS_ROUNDING``
(``ROUND_DOWN`` by default).
"""

from __future__ import annotations

import decimal
from decimal import ROUND_DOWN, Decimal

from oscar.templatetags.currency_filters import currency as oscar_currency

from oscar_loyalty import app_settings

D = Decimal
CENT = D("0.01")
ZERO = D("0.00")


def points_to_money(points: int) -> Decimal:
    """What ``points`` are worth when spent, rounded down to the cent."""
    return (D(int(points)) * app_settings.POINTS_VALUE).quantize(CENT, rounding=ROUND_DOWN)


def money_to_points(amount: Decimal, *, rounding: str = ROUND_DOWN) -> int:
    """How many points ``amount`` of money is worth (down by default: the most one can buy)."""
    value = app_settings.POINTS_VALUE
    if amount <= ZERO or value <= ZERO:
        return 0
    return int((D(amount) / value).quantize(D(1), rounding=rounding))


def earn_points(amount: Decimal, rate: Decimal) -> int:
    """Points for ``amount`` of money at ``rate`` points per unit, rounded by the setting."""
    if amount <= ZERO or rate <= ZERO:
        return 0
    rounding = getattr(decimal, app_settings.POINTS_ROUNDING)
    return int((D(amount) * D(rate)).quantize(D(1), rounding=rounding))


def proportion(points: int, part: Decimal, whole: Decimal) -> int:
    """``points * part / whole``, rounded down, for reversing a share of what was earned."""
    if whole <= 0 or part <= 0:
        return 0
    if part >= whole:
        return int(points)
    return int((D(int(points)) * D(part) / D(whole)).quantize(D(1), rounding=ROUND_DOWN))


def format_money(amount: Decimal, currency: str | None = None) -> str:
    """``amount`` as the active language writes it (₪1,234.50; 1,234.50 ₪ in Hebrew).

    Oscar's ``currency`` filter, for text built in Python (messages, timelines):
    never "1234.50 ILS".
    """
    return oscar_currency(amount, currency)
