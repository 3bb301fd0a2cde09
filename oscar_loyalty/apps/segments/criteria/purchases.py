"""Purchase criteria: spend, orders, last purchase, RFM, products or categories bought."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from oscar_loyalty.order_events import order_counts

from ..rules import Criterion, register
from .common import (
    PURCHASES,
    PeriodForm,
    _aggregate_filter,
    _from_stats,
    _in_period,
    _parse_ids,
    _require_bound,
    counted_orders,
    period_bounds,
    stats_cover,
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
        aggregates=lambda p: not stats_cover(p),
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
        aggregates=lambda p: not stats_cover(p),
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

        def is_id(word: str) -> bool:
            # ASCII only: "²".isdigit() is true but int("²") raises. At most 18
            # digits: SQLite cannot compare a larger integer (an OverflowError).
            return word.isascii() and word.isdigit() and len(word) <= 18

        ids = set(
            Product.objects.filter(pk__in=[int(w) for w in words if is_id(w)]).values_list(
                "pk", flat=True
            )
        )
        missing = [w for w in words if w not in found and not (is_id(w) and int(w) in ids)]
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
    ).filter(order_counts("order__"))
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
