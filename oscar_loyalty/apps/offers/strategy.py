"""Member prices as an Oscar pricing strategy, chosen per user.

A store enables them with one line, either Oscar's class loader (the
sandbox's way)::

    OSCAR_DYNAMIC_CLASS_LOADER = "oscar_loyalty.loading.class_loader"

or a forked ``partner`` app whose ``strategy.py`` is the single line::

    from oscar_loyalty.apps.offers.strategy import Selector  # noqa: F401

Either way every ``get_class("partner.strategy", "Selector")`` in Oscar (the
basket middleware, search indexing, stock alerts) gets this selector, so the
product list, product page, basket, checkout and order lines all price alike.

Members with benefits get ``MemberPricingMixin`` on top of the store's own
``Default`` strategy (so the store's tax and availability mixins still
apply); everyone else, expired members included, gets ``Default`` with only
``tier_only.TierOnlyMixin`` on top, which every shopper's strategy has: a
product of a tier-only range is unavailable outside its tiers ("Only for
Gold members"). A store with its own strategy composes the mixins itself
and overrides ``Selector.member_strategy_class`` and
``Selector.shopper_strategy_class``.
"""

from __future__ import annotations

import copy
from functools import cache

from oscar.core.loading import get_class

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.club import load_context

from .pricing import PriceBook
from .tier_only import TierOnlyMixin


class MemberPricingMixin:
    """Strategy mixin: charge the member price whenever it is lower than the regular one.

    Swaps the price on a *copy* of the stock record and calls the next
    ``pricing_policy`` in the MRO, so tax is worked out by the store's mixin.
    The returned price object carries ``regular_excl_tax`` for templates.
    """

    member: Member | None = None
    price_book: PriceBook | None = None

    def _member_stockrecord(self, product, stockrecord):
        if self.price_book is None or stockrecord is None:
            return stockrecord, None
        price = self.price_book.member_price(product, stockrecord)
        if price is None:
            return stockrecord, None
        member_record = copy.copy(stockrecord)
        member_record.price = price
        return member_record, stockrecord.price

    def pricing_policy(self, product, stockrecord):
        stockrecord, regular = self._member_stockrecord(product, stockrecord)
        policy = super().pricing_policy(product, stockrecord)
        policy.is_member_price = regular is not None
        policy.regular_excl_tax = regular
        return policy

    def parent_pricing_policy(self, product, children_stock):
        priced = [
            (child, self._member_stockrecord(child, stockrecord)[0])
            for child, stockrecord in children_stock
        ]
        return super().parent_pricing_policy(product, priced)


@cache
def _compose(default_class: type) -> type:
    return type(
        f"Member{default_class.__name__}", (TierOnlyMixin, MemberPricingMixin, default_class), {}
    )


@cache
def _compose_shopper(default_class: type) -> type:
    return type(f"TierOnly{default_class.__name__}", (TierOnlyMixin, default_class), {})


def member_with_benefits(user) -> Member | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    member = Member.objects.select_related("tier").filter(user=user).first()
    return member if member is not None and member.has_benefits() else None


class Selector:
    """Oscar's ``Selector``: ``Default`` for shoppers, member pricing for members with benefits.

    Works with a request (the basket middleware) or with ``user=`` alone
    (scripts, tasks, tests).
    """

    def default_strategy_class(self) -> type:
        # Looked up at call time, not import: the store's forked ``Default``
        # (if any) is found, and there is no import cycle with the loader.
        return get_class("partner.strategy", "Default")

    def member_strategy_class(self) -> type:
        return _compose(self.default_strategy_class())

    def shopper_strategy_class(self) -> type:
        """Guests' and non-members' strategy: the store's ``Default`` with tier-only products."""
        return _compose_shopper(self.default_strategy_class())

    def strategy(self, request=None, user=None, **kwargs):
        if user is None and request is not None:
            user = getattr(request, "user", None)
        # One query for everything the add-on needs about this shopper on
        # this request (see oscar_loyalty.club); Oscar copies the strategy
        # onto the request's basket, where the offers and template tags find it.
        context = load_context(user, for_request=request is not None)
        member = context.member if context is not None else None
        if member is None or not member.has_benefits():
            strategy = self.shopper_strategy_class()(request)
        else:
            strategy = self.member_strategy_class()(request)
            strategy.member = member
            strategy.price_book = PriceBook(
                member.tier, member=member, version=context.price_version
            )
        strategy.loyalty_context = context
        # Tier-only products: the member read by this request, benefits or not.
        strategy.loyalty_member = member
        if user is not None and getattr(user, "is_authenticated", False):
            strategy.user = user
        return strategy


def is_member_selector_active() -> bool:
    """Whether Oscar's ``get_class`` hands out this selector (or a subclass)."""
    active = get_class("partner.strategy", "Selector")
    return isinstance(active, type) and issubclass(active, Selector)
