"""The built-in criteria: each a params form and a function returning a ``Q`` on ``Member``.

Purchase criteria read Oscar's orders by ``user_id`` (a member's orders are
its user's orders) and leave out orders in ``OSCAR_LOYALTY_CANCELLED_ORDER_STATUSES``
and orders without a user. Spend is the order total including tax and
shipping: what the customer paid. Aggregates are ``IN (SELECT user_id ...
GROUP BY user_id HAVING ...)`` so the database aggregates the period's orders
once, never once per member. See docs/segments.md for the query plans.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.models import ConsentState
from oscar_loyalty.apps.consent.wording import CHANNELS
from oscar_loyalty.apps.membership.models import Member, Tier

from .rules import Criterion, register

PURCHASES = _("Purchases")
PROFILE = _("Profile")
CLUB = _("Club")


# Shared pieces -----------------------------------------------------------------


def counted_orders():
    """Orders that count for segments: placed by a user, not in a cancelled status."""
    Order = get_model("order", "Order")
    return Order.objects.filter(user_id__isnull=False).exclude(
        status__in=app_settings.CANCELLED_ORDER_STATUSES
    )


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


def _from_stats(field: str, params: dict, low: str, high: str, cast) -> Q | None:
    """The filter on yesterday's ``MemberStats`` figures, if they cover this period."""
    if params.get("since") or params.get("until"):
        return None
    days = int(params["days"]) if params.get("days") else None
    if days is not None and days not in WINDOWS:
        return None
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


# Purchases -----------------------------------------------------------------


class SpendForm(PeriodForm):
    min_amount = forms.DecimalField(
        label=_("Spent at least"), required=False, min_value=0, decimal_places=2
    )
    max_amount = forms.DecimalField(
        label=_("Spent at most"), required=False, min_value=0, decimal_places=2
    )

    def clean(self):
        data = super().clean()
        _require_bound(data, "min_amount", "max_amount")
        return data


register(
    Criterion(
        key="spend",
        label=_("Spend in a period"),
        form_class=SpendForm,
        group=PURCHASES,
        help_text=_(
            "Order totals (with tax and delivery), cancelled orders left out. The last 30, "
            "90 or 365 days and all time use the figures recomputed daily."
        ),
        build=lambda p, now: (
            _from_stats("spend", p, "min_amount", "max_amount", Decimal)
            or _aggregate_filter(
                Sum("total_incl_tax"), p, now, "min_amount", "max_amount", Decimal
            )
        ),
    )
)


class OrdersForm(PeriodForm):
    min_orders = forms.IntegerField(label=_("At least (orders)"), required=False, min_value=0)
    max_orders = forms.IntegerField(label=_("At most (orders)"), required=False, min_value=0)

    def clean(self):
        data = super().clean()
        _require_bound(data, "min_orders", "max_orders")
        return data


register(
    Criterion(
        key="orders",
        label=_("Number of orders in a period"),
        form_class=OrdersForm,
        group=PURCHASES,
        help_text=_("The last 30, 90 or 365 days and all time use the figures recomputed daily."),
        build=lambda p, now: (
            _from_stats("orders", p, "min_orders", "max_orders", int)
            or _aggregate_filter(Count("pk"), p, now, "min_orders", "max_orders", int)
        ),
    )
)


class LastPurchaseForm(forms.Form):
    within_days = forms.IntegerField(
        label=_("Bought in the last (days)"), required=False, min_value=1, max_value=3650
    )
    not_within_days = forms.IntegerField(
        label=_("Bought before, but not in the last (days)"),
        required=False,
        min_value=1,
        max_value=3650,
    )
    since = forms.DateField(label=_("Last purchase from"), required=False)
    until = forms.DateField(label=_("Last purchase until"), required=False)

    def clean(self):
        data = super().clean()
        given = [k for k in ("within_days", "not_within_days") if data.get(k)]
        dates = data.get("since") or data.get("until")
        if len(given) + bool(dates) != 1:
            raise ValidationError(
                _("Give one of: bought in the last N days, lapsed for N days, or dates.")
            )
        return data


def _last_purchase(p: dict, now: datetime) -> Q:
    orders = counted_orders().filter(user_id=OuterRef("user_id"))
    if p.get("within_days"):
        since = now - timedelta(days=int(p["within_days"]))
        return Q(Exists(orders.filter(date_placed__gte=since)))
    if p.get("not_within_days"):
        since = now - timedelta(days=int(p["not_within_days"]))
        return Q(Exists(orders)) & ~Q(Exists(orders.filter(date_placed__gte=since)))
    start, end = period_bounds(p, now)
    # The last purchase is in [start, end): one order in it, none after it.
    q = Q(Exists(orders.filter(_in_period("date_placed", p, now))))
    if end is not None:
        q &= ~Q(Exists(orders.filter(date_placed__gte=end)))
    return q


register(
    Criterion(
        key="last_purchase",
        label=_("Last purchase"),
        form_class=LastPurchaseForm,
        group=PURCHASES,
        build=_last_purchase,
    )
)


class RFMForm(forms.Form):
    SCORE = {"required": False, "min_value": 1, "max_value": 5}
    recency_min = forms.IntegerField(label=_("Recency from (1-5)"), **SCORE)
    recency_max = forms.IntegerField(label=_("Recency to (1-5)"), **SCORE)
    frequency_min = forms.IntegerField(label=_("Frequency from (1-5)"), **SCORE)
    frequency_max = forms.IntegerField(label=_("Frequency to (1-5)"), **SCORE)
    monetary_min = forms.IntegerField(label=_("Monetary from (1-5)"), **SCORE)
    monetary_max = forms.IntegerField(label=_("Monetary to (1-5)"), **SCORE)

    def clean(self):
        data = super().clean()
        if all(value is None for value in data.values()):
            raise ValidationError(_("Give at least one score bound."))
        for name in ("recency", "frequency", "monetary"):
            low, high = data.get(f"{name}_min"), data.get(f"{name}_max")
            if low is not None and high is not None and low > high:
                raise ValidationError(_("The minimum is above the maximum."))
        return data


def _rfm(p: dict, now: datetime) -> Q:
    q = Q()
    for name in ("recency", "frequency", "monetary"):
        if p.get(f"{name}_min") is not None:
            q &= Q(**{f"loyalty_stats__{name}_score__gte": int(p[f"{name}_min"])})
        if p.get(f"{name}_max") is not None:
            q &= Q(**{f"loyalty_stats__{name}_score__lte": int(p[f"{name}_max"])})
    return q


register(
    Criterion(
        key="rfm",
        label=_("RFM scores (quintiles)"),
        form_class=RFMForm,
        group=PURCHASES,
        help_text=_("5 is best. Recomputed daily; members without orders have no scores."),
        build=_rfm,
    )
)


def _parse_ids(value) -> list[int]:
    if isinstance(value, list | tuple):
        raw = value
    else:
        raw = str(value or "").replace(";", ",").replace(" ", ",").split(",")
    return [int(str(v).strip()) for v in raw if str(v).strip()]


class BoughtForm(PeriodForm):
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories (with their sub-categories)"),
        required=False,
        queryset=get_model("catalogue", "Category").objects.order_by("path"),
    )
    products = forms.CharField(
        label=_("Products (UPCs or ids, comma-separated)"), required=False, max_length=2000
    )

    def clean_products(self) -> list[int]:
        value = self.cleaned_data.get("products")
        if not value:
            return []
        Product = get_model("catalogue", "Product")
        words = [w.strip() for w in str(value).replace(";", ",").split(",") if w.strip()]
        found = dict(Product.objects.filter(upc__in=words).values_list("upc", "pk"))
        ids = set(
            Product.objects.filter(pk__in=[int(w) for w in words if w.isdigit()]).values_list(
                "pk", flat=True
            )
        )
        missing = [w for w in words if w not in found and not (w.isdigit() and int(w) in ids)]
        if missing:
            raise ValidationError(
                _("No product with the UPC or id: %(words)s") % {"words": ", ".join(missing)}
            )
        return sorted({found[w] if w in found else int(w) for w in words})

    def clean(self):
        data = super().clean()
        if not data.get("categories") and not data.get("products"):
            raise ValidationError(_("Choose at least one category or product."))
        return data


def _bought(p: dict, now: datetime) -> Q:
    Line = get_model("order", "Line")
    Product = get_model("catalogue", "Product")
    Category = get_model("catalogue", "Category")
    product_ids = _parse_ids(p.get("products"))
    products_q = Q(pk__in=product_ids) | Q(parent_id__in=product_ids) if product_ids else Q()
    paths = list(
        Category.objects.filter(pk__in=_parse_ids(p.get("categories"))).values_list(
            "path", flat=True
        )
    )
    for path in paths:
        # A variant is in its parent's categories (Oscar files children under the parent).
        category_q = Q(categories__path__startswith=path) | Q(
            parent__categories__path__startswith=path
        )
        products_q = (products_q | category_q) if products_q else category_q
    bought = Product.objects.filter(products_q or Q(pk__in=[])).values("pk")
    # One small product subquery (hashed) and the line's own order: with the
    # (user_id, date_placed) index each member costs one index-only probe.
    lines = Line.objects.filter(
        _in_period("order__date_placed", p, now),
        order__user_id=OuterRef("user_id"),
        product_id__in=bought,
    ).exclude(order__status__in=app_settings.CANCELLED_ORDER_STATUSES)
    return Q(Exists(lines))


register(
    Criterion(
        key="bought",
        label=_("Bought categories or products"),
        form_class=BoughtForm,
        group=PURCHASES,
        build=_bought,
    )
)


# Profile ---------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


class AgeForm(forms.Form):
    min_age = forms.IntegerField(label=_("From age"), required=False, min_value=0, max_value=130)
    max_age = forms.IntegerField(label=_("To age"), required=False, min_value=0, max_value=130)

    def clean(self):
        data = super().clean()
        _require_bound(data, "min_age", "max_age")
        return data


def _age(p: dict, now: datetime) -> Q:
    today = timezone.localdate(now)
    q = Q(birthday__isnull=False)
    if p.get("min_age") is not None:
        q &= Q(birthday__lte=_years_before(today, int(p["min_age"])))
    if p.get("max_age") is not None:
        q &= Q(birthday__gt=_years_before(today, int(p["max_age"]) + 1))
    return q


register(
    Criterion(
        key="age",
        label=_("Age range"),
        form_class=AgeForm,
        group=PROFILE,
        help_text=_("From the birthday; members without a birthday never match."),
        build=_age,
    )
)


class CityForm(forms.Form):
    cities = forms.CharField(
        label=_("Cities (comma-separated)"), max_length=1000, help_text=_("Any of them.")
    )

    def clean_cities(self) -> list[str]:
        raw = self.cleaned_data["cities"]
        if isinstance(raw, list):
            raw = ",".join(raw)
        cities = [c.strip() for c in str(raw).split(",") if c.strip()]
        if not cities:
            raise ValidationError(_("Enter at least one city."))
        return cities


def _city(p: dict, now: datetime) -> Q:
    cities = p["cities"] if isinstance(p["cities"], list) else str(p["cities"]).split(",")
    q = Q(pk__in=[])
    for city in cities:
        q |= Q(city__iexact=city.strip())
    return q


register(
    Criterion(
        key="city",
        label=_("City"),
        form_class=CityForm,
        group=PROFILE,
        help_text=_("Upper and lower case are the same."),
        build=_city,
    )
)


class RegionForm(forms.Form):
    regions = forms.MultipleChoiceField(label=_("Regions"), choices=Member.REGION_CHOICES)


register(
    Criterion(
        key="region",
        label=_("Region"),
        form_class=RegionForm,
        group=PROFILE,
        build=lambda p, now: Q(region__in=p["regions"]),
    )
)


class CustomerTypeForm(forms.Form):
    customer_type = forms.ChoiceField(
        label=_("Customer type"), choices=Member.CUSTOMER_TYPE_CHOICES
    )


register(
    Criterion(
        key="customer_type",
        label=_("Private or business"),
        form_class=CustomerTypeForm,
        group=PROFILE,
        build=lambda p, now: Q(customer_type=p["customer_type"]),
    )
)


class InterestsForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        label=_("Interested in any of"),
        queryset=get_model("catalogue", "Category").objects.order_by("path"),
    )


def _interests(p: dict, now: datetime) -> Q:
    through = Member.interests.through
    return Q(
        Exists(
            through.objects.filter(
                member_id=OuterRef("pk"), category_id__in=_parse_ids(p["categories"])
            )
        )
    )


register(
    Criterion(
        key="interests",
        label=_("Interests"),
        form_class=InterestsForm,
        group=PROFILE,
        build=_interests,
    )
)


NO_CONSENT = "none"


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=list(CHANNELS.items()))
    status = forms.ChoiceField(
        label=_("Consent to marketing"),
        choices=[
            (ConsentState.GRANTED, _("Granted (confirmed)")),
            (ConsentState.PENDING, _("Waiting for confirmation")),
            (ConsentState.WITHDRAWN, _("Withdrawn")),
            (NO_CONSENT, _("Never asked")),
        ],
        initial=ConsentState.GRANTED,
    )


def _consent(p: dict, now: datetime) -> Q:
    states = ConsentState.objects.filter(
        user_id=OuterRef("user_id"), purpose="marketing", channel=p["channel"]
    )
    if p["status"] == NO_CONSENT:
        return Q(user__isnull=False) & ~Q(Exists(states))
    return Q(Exists(states.filter(status=p["status"])))


register(
    Criterion(
        key="consent",
        label=_("Consent to marketing"),
        form_class=ConsentForm,
        group=PROFILE,
        help_text=_("Sending always requires granted consent, whatever the segment says."),
        build=_consent,
    )
)


# Club ------------------------------------------------------------------------


class TierForm(forms.Form):
    tiers = forms.ModelMultipleChoiceField(
        label=_("Tiers"), required=False, queryset=Tier.objects.all()
    )
    no_tier = forms.BooleanField(label=_("Or no tier"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("tiers") and not data.get("no_tier"):
            raise ValidationError(_("Choose at least one tier."))
        return data


def _tier(p: dict, now: datetime) -> Q:
    q = Q(tier_id__in=_parse_ids(p.get("tiers", [])))
    if p.get("no_tier"):
        q |= Q(tier__isnull=True)
    return q


register(Criterion(key="tier", label=_("Tier"), form_class=TierForm, group=CLUB, build=_tier))


class StatusForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        label=_("Membership status"), choices=Member.STATUS_CHOICES
    )


register(
    Criterion(
        key="status",
        label=_("Membership status"),
        form_class=StatusForm,
        group=CLUB,
        build=lambda p, now: Q(status__in=p["statuses"]),
    )
)


class JoinedForm(PeriodForm):
    def clean(self):
        data = super().clean()
        if not (data.get("days") or data.get("since") or data.get("until")):
            raise ValidationError(_("Give a number of days or dates."))
        return data


register(
    Criterion(
        key="joined",
        label=_("Joined the club"),
        form_class=JoinedForm,
        group=CLUB,
        build=lambda p, now: _in_period("joined_at", p, now),
    )
)


UNKNOWN_CHANNEL = "unknown"


def _journey_installed() -> bool:
    return apps.is_installed("oscar_loyalty.apps.journey")


def _acquisition_choices():
    from oscar_loyalty.apps.journey.models import FirstTouch

    return [*FirstTouch.CHANNEL_CHOICES, (UNKNOWN_CHANNEL, _("Not recorded"))]


class AcquisitionForm(forms.Form):
    channels = forms.MultipleChoiceField(label=_("Came from"), choices=_acquisition_choices)


def _acquisition(p: dict, now: datetime) -> Q:
    from oscar_loyalty.apps.journey.models import FirstTouch

    channels = [c for c in p["channels"] if c != UNKNOWN_CHANNEL]
    touches = FirstTouch.objects.filter(member_id=OuterRef("pk"))
    q = Q(Exists(touches.filter(channel__in=channels))) if channels else Q(pk__in=[])
    if UNKNOWN_CHANNEL in p["channels"]:
        q |= ~Q(Exists(touches))
    return q


register(
    Criterion(
        key="acquisition",
        label=_("Acquisition channel"),
        form_class=AcquisitionForm,
        group=CLUB,
        help_text=_("From the member's first visit (UTM parameters, referring site, referral)."),
        build=_acquisition,
        is_available=_journey_installed,
    )
)


class ReferredForm(forms.Form):
    # Saved as "yes"/"no" (what the editor's select shows); JSON true/false is accepted.
    referred = forms.ChoiceField(
        label=_("Joined through a friend's referral"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
    )

    def __init__(self, *args, data=None, **kwargs):
        if data is not None and isinstance(data.get("referred"), bool):
            data = type(data)(data, referred="yes" if data["referred"] else "no")
        super().__init__(*args, data=data, **kwargs)


def _referred(p: dict, now: datetime) -> Q:
    Referral = apps.get_model("loyalty_referrals", "Referral")
    referred = Q(Exists(Referral.objects.filter(referee_id=OuterRef("user_id"))))
    return (
        referred
        if p["referred"] in (True, "yes", "True", "true")
        else (Q(user__isnull=False) & ~referred)
    )


register(
    Criterion(
        key="referred",
        label=_("Referred by a friend"),
        form_class=ReferredForm,
        group=CLUB,
        build=_referred,
        is_available=lambda: apps.is_installed("oscar_loyalty.apps.referrals"),
    )
)
