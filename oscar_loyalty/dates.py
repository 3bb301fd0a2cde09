"""Calendar arithmetic that money and membership periods depend on."""

from __future__ import annotations

import calendar
from datetime import date, datetime


def add_months(value: datetime | date, months: int):
    """``value`` plus whole calendar months, clamped to the last day of a short month.

    31 January + 1 month is 28 (or 29) February, never 3 March: a member who
    pays for a month gets that month, not a few bonus days.
    """
    month_index = value.month - 1 + months
    year = value.year + month_index // 12
    month = month_index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)
