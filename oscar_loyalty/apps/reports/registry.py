"""Reports as small classes in a registry; one dashboard view renders any of them.

A report computes its rows for a date range with SQL aggregates (never a loop
over members), says which columns its CSV has and how its chart is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps

from oscar_loyalty.dates import add_months

from .figures import local_start

LIVE, PRECOMPUTED = "live", "precomputed"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    #: "text", "int", "money", "percent" (a fraction 0..1), "date".
    kind: str = "int"


@dataclass(frozen=True)
class Chart:
    #: "line", "bar" or "stacked".
    kind: str
    #: The column whose values label the x axis.
    x: str
    #: The columns drawn, one series each.
    series: tuple[str, ...]


@dataclass(frozen=True)
class Period:
    """An inclusive range of local days, grouped by ``interval`` ("day" or "month")."""

    start: date
    end: date
    interval: str = "month"

    @property
    def start_at(self):
        return local_start(self.start)

    @property
    def end_before(self):
        """The first instant after the range."""
        return local_start(self.end + timedelta(days=1))

    def buckets(self) -> list[date]:
        """Every day or first-of-month the range touches, in order."""
        if self.interval == "day":
            return [
                self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)
            ]
        months, current = [], self.start.replace(day=1)
        while current <= self.end:
            months.append(current)
            current = add_months(current, 1)
        return months

    def bucket_of(self, value: date) -> date:
        return value if self.interval == "day" else value.replace(day=1)


class Report:
    """Subclass, set the class attributes, implement ``rows`` and decorate with ``register``."""

    key: str = ""
    title = ""
    description = ""
    #: LIVE (queried on each view) or PRECOMPUTED (reads ``DailyFigure``/``MemberFacts``).
    source: str = LIVE
    columns: tuple[Column, ...] = ()
    chart: Chart | None = None
    #: Whether grouping by day is offered (else by month only).
    daily: bool = False

    def rows(self, period: Period) -> list[dict]:
        raise NotImplementedError


_REGISTRY: dict[str, Report] = {}
_loaded = False


def register(report_class):
    """Class decorator: add one instance of the report to the registry."""
    report = report_class()
    _REGISTRY[report.key] = report
    return report_class


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import club_reports, definitions  # noqa: F401  (register the core reports)

    # Only the newsletter app imports Wagtail: its report is loaded only when installed.
    if apps.is_installed("oscar_loyalty.apps.newsletter"):
        from . import newsletter_report  # noqa: F401


def all_reports() -> list[Report]:
    _load()
    return list(_REGISTRY.values())


def get_report(key: str) -> Report | None:
    _load()
    return _REGISTRY.get(key)


def ratio(part, whole) -> float | None:
    """``part / whole`` as a fraction, or None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None
