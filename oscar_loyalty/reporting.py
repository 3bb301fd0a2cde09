"""The report registry: each app registers the reports on its own data; the reports app shows them.

A report is a small class: a key, a title, its columns, its chart and
``rows(period)``, computed with SQL aggregates (never a loop over members).
It lives in the app that owns its data, in a module ``loyalty_reports.py``
that the registry imports for every installed app the first time the reports
are listed. So a store without the newsletter app has no newsletter report,
nothing here imports an app, and a store's own app adds a report the same
way (docs/reports.md). The reports app (``apps/reports``) is the framework
around them: the dashboard pages, the SVG charts, the CSV and the precomputed
daily figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import DateField
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from oscar_loyalty.dates import add_months

LIVE, PRECOMPUTED = "live", "precomputed"
#: The module each installed app may have to register its reports.
MODULE = "loyalty_reports"


def local_start(day: date) -> datetime:
    """The aware datetime at which local ``day`` begins."""
    return timezone.make_aware(datetime.combine(day, time.min))


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
    #: LIVE (queried on each view) or PRECOMPUTED (reads the reports app's daily figures).
    source: str = LIVE
    columns: tuple[Column, ...] = ()
    chart: Chart | None = None
    #: Whether grouping by day is offered (else by month only).
    daily: bool = False
    #: Where the report stands in the list (lower first; equal: in registration order).
    order: int = 1000

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
    # ``<app>.loyalty_reports`` of every installed app, in INSTALLED_APPS order; an app
    # that is not installed is never imported, so neither are its models.
    autodiscover_modules(MODULE)


def all_reports() -> list[Report]:
    _load()
    reports = list(_REGISTRY.values())
    return sorted(reports, key=lambda report: report.order)


def get_report(key: str) -> Report | None:
    _load()
    return _REGISTRY.get(key)


def ratio(part, whole) -> float | None:
    """``part / whole`` as a fraction, or None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def bucket(field: str, period: Period):
    return Trunc(field, period.interval, output_field=DateField())


def counts_by_bucket(queryset, field: str, period: Period, **aggregates) -> dict:
    """``{bucket: {name: value}}`` for rows of ``queryset`` whose ``field`` is in the period."""
    rows = (
        queryset.filter(**{f"{field}__gte": period.start_at, f"{field}__lt": period.end_before})
        .annotate(bucket=bucket(field, period))
        .values("bucket")
        .annotate(**aggregates)
        .order_by()
    )
    return {row.pop("bucket"): row for row in rows}
