"""The member-price rule, computed from data loaded in a constant number of queries.

The rule (also in ``docs/offers.md``):

1. Candidates are the absolute ``MemberPrice`` of the stock record, and the
   regular price less each percentage that applies to the member's tier:
   every active ``TierDiscount`` whose range or category holds the product,
   and the tier's own ``discount_percent`` (if not zero) on everything.
2. The lowest candidate wins, if it is below the regular price. Nothing stacks:
   percentages are never added together or applied on top of a member price.
3. Percentages are taken off the stock record's ``price`` (excluding tax) and
   rounded ``ROUND_HALF_UP`` to 0.01; the store's tax mixin then applies as usual.
4. Percentages skip products that are not ``is_discountable`` and the products
   that sell membership plans; an absolute member price is staff's explicit
   choice and always counts.

A ``PriceBook`` loads everything once (member prices, the tier's discounts
and the product ids of their ranges and categories) and answers every
product from memory, so a page of 5 or 500 products costs the same queries.
Given the version token the club context read (``PriceBookVersion``), the
query's result is kept per process under ``(tier, token)``: a member's
request then prices everything with no query of its own. A range's or a
category's products and a member's segments are not kept (Oscar's own
models change them); tiers with such discounts and segment prices pay their
queries on each request, as before.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, DecimalField, Value, When
from django.db.models.functions import Cast, Concat
from oscar.core.loading import get_model

from oscar_loyalty.apps.membership.models import Plan, Tier

from .models import HUNDRED, MemberPrice, PriceBookVersion, TierDiscount

CENT = Decimal("0.01")


def round_price(amount: Decimal) -> Decimal:
    """Prices are rounded half up to the cent (2.345 -> 2.35), like a shelf label."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_off(price: Decimal, percent: Decimal) -> Decimal:
    return round_price(Decimal(price) * (HUNDRED - Decimal(percent)) / HUNDRED)


class _ProductSet:
    """The ids of a range's or category's products (``everything`` minus ``excluded``)."""

    def __init__(self, ids=(), *, everything: bool = False, excluded=()):
        self.ids, self.everything, self.excluded = set(ids), everything, set(excluded)

    def __contains__(self, product) -> bool:
        keys = {product.pk, product.parent_id} - {None}
        if self.everything:
            return not keys & self.excluded
        return bool(keys & self.ids)


# (tier id, version token) -> the price book query's rows, newest last.
_ROWS: OrderedDict[tuple[int | None, str], list[tuple]] = OrderedDict()
_ROWS_LOCK = threading.Lock()
_ROWS_KEPT = 32  # tiers x recent tokens; a stale token's entries age out


def bump_price_book() -> str:
    """Give the price book a new version token: every process reloads on its next request."""
    token = uuid.uuid4().hex
    if not PriceBookVersion.objects.filter(pk=1).update(token=token):
        PriceBookVersion.objects.update_or_create(pk=1, defaults={"token": token})
    return token


def _cached_rows(key: tuple[int | None, str]) -> list[tuple] | None:
    with _ROWS_LOCK:
        rows = _ROWS.get(key)
        if rows is not None:
            _ROWS.move_to_end(key)
        return rows


def _keep_rows(key: tuple[int | None, str], rows: list[tuple]) -> None:
    with _ROWS_LOCK:
        _ROWS[key] = rows
        while len(_ROWS) > _ROWS_KEPT:
            _ROWS.popitem(last=False)


def _range_products(range_) -> _ProductSet:
    if range_.includes_all_products and not range_.proxy_class:
        return _ProductSet(
            everything=True, excluded=range_.excluded_products.values_list("pk", flat=True)
        )
    return _ProductSet(range_.all_products().values_list("pk", flat=True))


def _category_products(category) -> _ProductSet:
    Product = get_model("catalogue", "Product")
    # Materialised path: the category and all of its descendants in one query.
    return _ProductSet(
        Product.objects.filter(categories__path__startswith=category.path)
        .values_list("pk", flat=True)
        .distinct()
    )


class PriceBook:
    """Member prices for one tier (``None``: a member without a tier), cached per instance.

    One instance lives as long as one strategy, i.e. one request.
    """

    def __init__(self, tier: Tier | None, member=None, *, version: str | None = None):
        self.tier = tier
        # Needed only for member prices limited to a segment (``MemberPrice.segment``).
        self.member = member
        # The PriceBookVersion token read by this request (None: do not cache).
        self.version = version
        self._member_prices: dict[int, Decimal] | None = None
        self._percentages: list[tuple[Decimal, _ProductSet]] | None = None
        self._plan_products: set[int] | None = None

    def _rows(self) -> list[tuple]:
        """The query's rows, from this process's cache when the version token is known."""
        key = (self.tier.pk if self.tier is not None else None, self.version)
        if self.version is not None:
            rows = _cached_rows(key)
            if rows is not None:
                return rows
        rows = self._query_rows()
        if self.version is not None:
            _keep_rows(key, rows)
        return rows

    def _query_rows(self) -> list[tuple]:
        """Member prices, plan products and the tier's discounts: one query (a UNION)."""
        kind = CharField()
        number = DecimalField(max_digits=12, decimal_places=2)
        # A price limited to a segment comes back as "segment:<id>".
        prices = MemberPrice.objects.values_list(
            Case(
                When(segment__isnull=True, then=Value("price")),
                default=Concat(Value("segment:"), Cast("segment_id", CharField())),
                output_field=kind,
            ),
            "stockrecord_id",
            "price",
        )
        plans = Plan.objects.exclude(product=None).values_list(
            Value("plan", output_field=kind), "product_id", Value(None, output_field=number)
        )
        parts = [plans]
        if self.tier is not None:
            parts.append(
                TierDiscount.objects.filter(tier=self.tier, is_active=True, percent__gt=0)
                .values_list(Value("discount", output_field=kind), "pk", "percent")
                .order_by()
            )
        return list(prices.order_by().union(*(part.order_by() for part in parts), all=True))

    def _load(self) -> None:
        member_prices: dict[int, Decimal] = {}
        plan_products: set[int] = set()
        discount_ids: list[int] = []
        segment_prices: list[tuple[int, int, Decimal]] = []
        for row_kind, key, value in self._rows():
            if row_kind == "price":
                member_prices[key] = Decimal(value)
            elif row_kind == "plan":
                plan_products.add(key)
            elif row_kind.startswith("segment:"):
                segment_prices.append((int(row_kind[8:]), key, Decimal(value)))
            else:
                discount_ids.append(key)
        if segment_prices:
            # One query, however many segments and products: which segments hold the member.
            from oscar_loyalty.apps.segments.services import memberships

            held = memberships(self.member, {segment for segment, _key, _price in segment_prices})
            for segment, key, price in segment_prices:
                if segment in held:
                    member_prices[key] = price
        found: list[tuple[Decimal, _ProductSet]] = []
        if self.tier is not None and self.tier.discount_percent > 0:
            found.append((self.tier.discount_percent, _ProductSet(everything=True)))
        if discount_ids:
            # Only tiers with range or category discounts pay these queries.
            discounts = TierDiscount.objects.filter(pk__in=discount_ids).select_related(
                "range", "category"
            )
            for discount in discounts:
                products = (
                    _range_products(discount.range)
                    if discount.range_id
                    else _category_products(discount.category)
                )
                found.append((discount.percent, products))
        self._member_prices, self._plan_products, self._percentages = (
            member_prices,
            plan_products,
            found,
        )

    def member_prices(self) -> dict[int, Decimal]:
        if self._member_prices is None:
            self._load()
        return self._member_prices

    def percentages(self) -> list[tuple[Decimal, _ProductSet]]:
        if self._percentages is None:
            self._load()
        return self._percentages

    def plan_products(self) -> set[int]:
        if self._plan_products is None:
            self._load()
        return self._plan_products

    def best_percent(self, product) -> Decimal:
        percentages = self.percentages()
        if not percentages or not product.is_discountable:
            return Decimal("0")
        if {product.pk, product.parent_id} & self.plan_products():
            return Decimal("0")
        return max((p for p, products in percentages if product in products), default=Decimal(0))

    def member_price(self, product, stockrecord) -> Decimal | None:
        """The member's price for this stock record, or ``None`` if it is not lower."""
        regular = getattr(stockrecord, "price", None)
        if regular is None:
            return None
        candidates = []
        absolute = self.member_prices().get(stockrecord.pk)
        if absolute is not None:
            candidates.append(absolute)
        percent = self.best_percent(product)
        if percent > 0:
            candidates.append(percent_off(regular, percent))
        best = min(candidates, default=None)
        if best is None or best >= regular:
            return None
        return best


def entry_tier() -> Tier | None:
    """The tier a new member starts in: the lowest active tier that needs no spend."""
    return (
        Tier.objects.filter(is_active=True, qualifying_spend__lte=0)
        .order_by("qualifying_spend", "pk")
        .last()
    )
