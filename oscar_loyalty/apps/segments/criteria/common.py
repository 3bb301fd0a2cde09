"""Pieces the built-in criteria share: periods, order aggregates, id lists."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from oscar_loyalty import order_events

PURCHASES = _("Purchases")
PROFILE = _("Profile")
CLUB = _("Club")


# Shared pieces -----------------------------------------------------------------


def counted_orders():
    """Orders that count for segments: placed by a user, counted (``order_events``)."""
    return order_events.counted_orders().filter(user_id__isnull=False)


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else parse_date(str(value))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def period_bounds(params: dict, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(from, to) of ``days`` (the last N days) or ``since``/``until`` (whole days, inclusive)."""
    if params.get("days"):
        return now - timedelta(days=int(params["days"])), None
    since, until = _date(params.get("since")), _date(params.get("until"))
    return (
        _start_of(since) if since else None,
        _start_of(until + timedelta(days=1)) if until else None,
    )


def _in_period(field: str, params: dict, now: datetime) -> Q:
    start, end = period_bounds(params, now)
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": start})
    if end is not None:
        q &= Q(**{f"{field}__lt": end})
    return q


class PeriodForm(forms.Form):
    days = forms.IntegerField(
        label=_("In the last (days)"), required=False, min_value=1, max_value=3650
    )
    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("Until"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("days") and (data.get("since") or data.get("until")):
            raise ValidationError(_("Give either a number of days or dates, not both."))
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError(_("The start date is after the end date."))
        return data


def _require_bound(data: dict, low: str, high: str) -> None:
    if data.get(low) is None and data.get(high) is None:
        raise ValidationError(_("Give a minimum, a maximum or both."))
    if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
        raise ValidationError(_("The minimum is above the maximum."))


WINDOWS = (30, 90, 365)  # the periods ``MemberStats`` precomputes (services.WINDOW_DAYS)


def stats_cover(params: dict) -> bool:
    """Whether ``MemberStats`` holds this period (else the aggregate is computed live)."""
    if params.get("since") or params.get("until"):
        return False
    return not params.get("days") or int(params["days"]) in WINDOWS


def _from_stats(field: str, params: dict, low: str, high: str, cast) -> Q | None:
    """The filter on yesterday's ``MemberStats`` figures, if they cover this period."""
    if not stats_cover(params):
        return None
    days = int(params["days"]) if params.get("days") else None
    column = (
        f"loyalty_stats__{field}_{days}d"
        if days
        else f"loyalty_stats__{'orders_count' if field == 'orders' else 'spend'}"
    )
    minimum = cast(params[low]) if params.get(low) is not None else None
    maximum = cast(params[high]) if params.get(high) is not None else None
    q = Q()
    if minimum is not None and minimum > 0:
        q &= Q(**{f"{column}__gte": minimum})
        if maximum is not None:
            q &= Q(**{f"{column}__lte": maximum})
        return q
    # No minimum: members without a stats row (no orders) match too.
    return Q(loyalty_stats__isnull=True) | Q(**{f"{column}__lte": maximum})


def _aggregate_filter(aggregate, params: dict, now: datetime, low: str, high: str, cast) -> Q:
    """Members whose aggregate over the period's orders is within [low, high].

    A minimum above zero: ``user_id IN (... HAVING agg >= low)``. No minimum
    (or zero): members without orders match too, so the filter is
    ``NOT IN (... HAVING agg > high)``.
    """
    per_user = (
        counted_orders()
        .filter(_in_period("date_placed", params, now))
        .values("user_id")
        .annotate(value=aggregate)
        .order_by()
    )
    minimum = cast(params[low]) if params.get(low) is not None else None
    maximum = cast(params[high]) if params.get(high) is not None else None
    if minimum is not None and minimum > 0:
        having = per_user.filter(value__gte=minimum)
        if maximum is not None:
            having = having.filter(value__lte=maximum)
        return Q(user_id__in=having.values("user_id"))
    return Q(user__isnull=False) & ~Q(
        user_id__in=per_user.filter(value__gt=maximum).values("user_id")
    )


def _parse_ids(value) -> list[int]:
    if isinstance(value, list | tuple):
        raw = value
    else:
        raw = str(value or "").replace(";", ",").replace(" ", ",").split(",")
    return [int(str(v).strip()) for v in raw if str(v).strip()]
