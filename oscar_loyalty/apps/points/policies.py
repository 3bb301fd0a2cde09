"""How many points a basket or an order earns: the one pluggable seam for earning.

A store swaps the rule with one setting::

    OSCAR_LOYALTY_POINTS_EARNING_POLICY = "myshop.loyalty.MyPolicy"

The policy only computes; it never writes. Each quoted line carries the
rate used, which is stored with the earning so that a later refund is
reversed at that rate, never at today's rule.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.module_loading import import_string
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty.money import ZERO, earn_points

from .models import PointsPromotion

# How long the promotion read with a request's club context answers previews.
PRELOADED_SECONDS = 60


@dataclass
class QuoteLine:
    line: object | None  # an Oscar basket or order line; None for shipping
    quantity: int
    amount: Decimal
    rate: Decimal
    points: int


@dataclass
class Quote:
    lines: list[QuoteLine] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(line.points for line in self.lines)

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


class EarningPolicy(abc.ABC):
    """Computes the points a member earns; subclass and name it in the setting."""

    @abc.abstractmethod
    def quote_order(self, order, member, *, now: datetime) -> Quote:
        """Points for a placed order (lines after discounts)."""

    @abc.abstractmethod
    def quote_basket(self, basket, member, *, now: datetime) -> Quote:
        """Points the basket would earn, for "you will earn N points"."""

    def earning_rules(self, member, *, now: datetime) -> list[EarningRule]:
        """The rules in force for ``member`` at ``now``, as the member's home lists them.

        A policy that says nothing here still earns; the member's home then
        lists only the bonuses and the other apps' ways to earn.
        """
        return []

    def quote_price(self, product, price, member, *, now: datetime) -> int:
        """Points one unit of ``product`` earns at ``price`` (an Oscar ``Price``).

        The "Earn N points" hint on product pages and lists (``points.hints``),
        computed from the price already on the page. One policy object
        answers every product of a page, so a subclass may keep what it read
        for the first product. The default quotes a one-line basket would
        earn, without the quantity and basket discounts; a policy that cannot
        say returns 0 and the page shows no hint.
        """
        return 0


@dataclass(frozen=True)
class EarningRule:
    """One line of "Ways to earn": ``rate`` points per currency unit paid, where.

    ``scope`` is empty for every product, else the name of the category or
    range the rate applies to; ``tier_multiplier`` and ``promotion`` say what
    made the rate (shown beside it).
    """

    rate: Decimal
    scope: str = ""
    tier_multiplier: Decimal | None = None
    promotion: Decimal | None = None


class DefaultEarningPolicy(EarningPolicy):
    """``POINTS_PER_UNIT`` per unit paid for products, after discounts.

    Times the highest category multiplier, the member's tier multiplier and
    the highest running promotion; excluded product classes and categories
    earn nothing; shipping and tax only count when the settings say so.
    Each line is rounded on its own (``OSCAR_LOYALTY_POINTS_ROUNDING``).
    """

    # (multiplier or None, read at) from the club context while quoting a basket.
    _preloaded_promotion: tuple | None = None
    # ((member, tier, now), base rate) for quote_price: one page's products.
    _price_base: tuple | None = None

    def base_rate(self, member, *, now: datetime) -> Decimal:
        rate = app_settings.POINTS_PER_UNIT
        if member.tier_id and member.tier.is_active:
            rate *= member.tier.points_multiplier
        best = self.best_promotion(member, now=now)
        if best is not None and best > 0:
            rate *= best
        return rate

    def best_promotion(self, member, *, now: datetime) -> Decimal | None:
        """The highest multiplier of the promotions running at ``now``.

        A basket quoted with the request's club context carries it already,
        read at the same moment (``points.club_context``).
        """
        preloaded = self._preloaded_promotion
        if preloaded is not None and abs((preloaded[1] - now).total_seconds()) < PRELOADED_SECONDS:
            return preloaded[0]
        multipliers = PointsPromotion.objects.filter(is_active=True, starts_at__lte=now).exclude(
            ends_at__lte=now
        )
        return max((p.multiplier for p in multipliers), default=None)

    def product_rate(self, product, base: Decimal) -> Decimal | None:
        """The rate for one product, or ``None`` if it earns nothing."""
        if product is None:
            return base
        product_class = product.get_product_class()
        if product_class and product_class.name in app_settings.POINTS_EXCLUDED_PRODUCT_CLASSES:
            return None
        excluded = set(app_settings.POINTS_EXCLUDED_CATEGORIES)
        multipliers = app_settings.POINTS_CATEGORY_MULTIPLIERS
        candidates = [
            multiplier
            for product_range, multiplier in self._ranges()
            if product_range.contains_product(product)
        ]
        if excluded or multipliers:
            slugs = {c.slug for c in product.get_categories().all()}
            if slugs & excluded:
                return None
            candidates += [multipliers[s] for s in slugs if s in multipliers]
        return base * max(candidates) if candidates else base

    def _ranges(self):
        """The ranges named in OSCAR_LOYALTY_POINTS_RANGE_MULTIPLIERS, loaded once per quote."""
        if not hasattr(self, "_range_multipliers"):
            wanted = app_settings.POINTS_RANGE_MULTIPLIERS
            Range = get_model("offer", "Range")
            self._range_multipliers = (
                [(r, wanted[r.slug]) for r in Range.objects.filter(slug__in=wanted)]
                if wanted
                else []
            )
        return self._range_multipliers

    def _line(self, line, amount: Decimal, rate: Decimal | None) -> QuoteLine | None:
        if rate is None or amount <= ZERO:
            return None
        return QuoteLine(
            line=line,
            quantity=line.quantity if line is not None else 1,
            amount=amount,
            rate=rate,
            points=earn_points(amount, rate),
        )

    def earning_rules(self, member, *, now: datetime) -> list[EarningRule]:
        """The base rate (with the tier and the promotion), then each category and range."""
        base = self.base_rate(member, now=now)
        tier = member.tier if member.tier_id and member.tier.is_active else None
        multiplier = tier.points_multiplier if tier and tier.points_multiplier != 1 else None
        promotion = self.best_promotion(member, now=now)
        rules = [
            EarningRule(
                base,
                tier_multiplier=multiplier,
                promotion=promotion if promotion is not None and promotion > 0 else None,
            )
        ]
        category_rates = app_settings.POINTS_CATEGORY_MULTIPLIERS
        if category_rates:
            Category = get_model("catalogue", "Category")
            for category in Category.objects.filter(slug__in=category_rates).order_by("name"):
                rate = base * category_rates[category.slug]
                rules.append(EarningRule(rate, scope=category.name))
        for product_range, range_multiplier in self._ranges():
            rules.append(EarningRule(base * range_multiplier, scope=product_range.name))
        return rules

    def quote_order(self, order, member, *, now: datetime) -> Quote:
        base = self.base_rate(member, now=now)
        with_tax = app_settings.POINTS_EARN_ON_TAX
        quote = Quote()
        for line in order.lines.select_related("product__product_class", "product__parent"):
            amount = line.line_price_incl_tax if with_tax else line.line_price_excl_tax
            quoted = self._line(line, amount, self.product_rate(line.product, base))
            if quoted:
                quote.lines.append(quoted)
        if app_settings.POINTS_EARN_ON_SHIPPING:
            amount = order.shipping_incl_tax if with_tax else order.shipping_excl_tax
            quoted = self._line(None, amount, base)
            if quoted:
                quote.lines.append(quoted)
        return quote

    def quote_price(self, product, price, member, *, now: datetime) -> int:
        # The base rate is read once per policy object (one page) and member.
        key = (getattr(member, "pk", None), member.tier_id, now)
        if self._price_base is None or self._price_base[0] != key:
            self._price_base = (key, self.base_rate(member, now=now))
        with_tax = app_settings.POINTS_EARN_ON_TAX and price.is_tax_known
        amount = price.incl_tax if with_tax else price.excl_tax
        rate = self.product_rate(product, self._price_base[1])
        if rate is None or amount is None:
            return 0
        return earn_points(amount, rate)

    def quote_basket(self, basket, member, *, now: datetime) -> Quote:
        from .club_context import preloaded_promotion

        # Held by this policy object for this quote only, never on Oscar's objects.
        self._preloaded_promotion = preloaded_promotion(basket)
        try:
            base = self.base_rate(member, now=now)
        finally:
            self._preloaded_promotion = None
        with_tax = app_settings.POINTS_EARN_ON_TAX and basket.is_tax_known
        quote = Quote()
        for line in basket.all_lines():
            amount = (
                line.line_price_incl_tax_incl_discounts
                if with_tax
                else line.line_price_excl_tax_incl_discounts
            )
            quoted = self._line(line, amount or ZERO, self.product_rate(line.product, base))
            if quoted:
                quote.lines.append(quoted)
        return quote


def get_policy() -> EarningPolicy:
    return import_string(app_settings.POINTS_EARNING_POLICY)()
