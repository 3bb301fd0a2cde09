"""Quiet hours: when an advertising SMS or WhatsApp message may go out, in the member's time.

No advertising at night (``QUIET_HOURS``, 20:00–08:00 by default), on
Shabbat (Friday from ``QUIET_SHABBAT_START`` to Saturday at
``QUIET_SHABBAT_END``) or on a quiet date (``QUIET_DATES``; without a list,
Israel's holidays from the ``holidays`` package, extra ``sms``). A quiet date
is kept like Shabbat: from ``QUIET_SHABBAT_START`` on its eve to
``QUIET_SHABBAT_END`` on the day, because a holiday, like Shabbat, begins at
sunset the evening before; consecutive quiet dates and Shabbat chain.
A message due in a quiet time waits for the next allowed instant: the outbox
row's ``next_attempt_at`` moves there, and the row keeps its place.
Times are the member's: the time zone of the number's country
(``phones.time_zone``), else ``QUIET_TIME_ZONE``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import ModuleType
from zoneinfo import ZoneInfo

FRIDAY, SATURDAY = 4, 5


def _time(value: str) -> time:
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


def holidays_package() -> ModuleType | None:
    """The optional ``holidays`` package, or ``None``; the system check asks the same."""
    try:
        import holidays
    except ImportError:
        return None
    return holidays


@lru_cache(maxsize=8)
def _israel_holidays(package: ModuleType, year: int) -> frozenset[date]:
    # The Israel calendar marks the rest days only (Rosh Hashanah's two days, Yom Kippur,
    # Sukkot, Shemini Atzeret, Pesach's first and seventh days, Shavuot, Independence Day).
    return frozenset(package.country_holidays("IL", years=year))


def _package_holidays(year: int) -> frozenset[date]:
    package = holidays_package()
    if package is None:
        return frozenset()
    return _israel_holidays(package, year)


def quiet_dates(year: int) -> frozenset[date]:
    from oscar_loyalty import app_settings

    listed = app_settings.QUIET_DATES
    if listed:
        return frozenset(date.fromisoformat(value) for value in listed)
    return _package_holidays(year)


def _quiet_until(local: datetime) -> datetime | None:
    """The end of the quiet period ``local`` falls in, or ``None`` when sending is allowed."""
    from oscar_loyalty import app_settings

    day, now = local.date(), local.time()
    tz = local.tzinfo

    def at(d: date, t: time) -> datetime:
        return datetime.combine(d, t, tzinfo=tz)

    start, end = _time(app_settings.QUIET_SHABBAT_START), _time(app_settings.QUIET_SHABBAT_END)
    tomorrow = day + timedelta(days=1)
    if day in quiet_dates(day.year) and now < end:
        return at(day, end)
    # The eve: a holiday's second day, or a holiday right after Shabbat, chains from here.
    if tomorrow in quiet_dates(tomorrow.year) and now >= start:
        return at(tomorrow, end)
    if app_settings.QUIET_SHABBAT:
        weekday = day.weekday()
        if weekday == FRIDAY and now >= start:
            return at(day + timedelta(days=1), end)
        if weekday == SATURDAY and now < end:
            return at(day, end)
    hours = app_settings.QUIET_HOURS
    if hours:
        start, end = _time(hours[0]), _time(hours[1])
        if start > end:  # across midnight: 20:00–08:00
            if now >= start:
                return at(day + timedelta(days=1), end)
            if now < end:
                return at(day, end)
        elif start <= now < end:
            return at(day, end)
    return None


def next_allowed(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` if advertising may be sent then, else the first instant after it that may."""
    local = moment.astimezone(tz)
    for _step in range(32):  # a night, then Shabbat, then a holiday…: a few hops at most
        until = _quiet_until(local)
        if until is None:
            return local.astimezone(moment.tzinfo)
        # Re-read in the zone: an hour that daylight saving skipped moves forward.
        local = until.astimezone(ZoneInfo("UTC")).astimezone(tz)
    return local.astimezone(moment.tzinfo)
