"""Template tags for member prices on product pages and the gifts on the member's home."""

from __future__ import annotations

from django import template

from oscar_loyalty import app_settings

from ..gifts import waiting_gifts
from ..pricing import PriceBook, entry_tier
from ..strategy import Selector

register = template.Library()


@register.simple_tag(takes_context=True)
def member_price_info(context, product) -> dict | None:
    """What to say about member prices next to ``product``'s price.

    Members paying a member price: ``{"is_member": True, "regular": <Decimal>}``.
    Everyone else, if members pay less: ``{"is_member": False, "price": <price>}``,
    the price a member who joins today would pay (the entry tier's).
    ``None`` when there is nothing to say.
    """
    request = context.get("request")
    strategy = getattr(request, "strategy", None)
    if request is None or strategy is None or product.is_parent:
        return None
    if getattr(strategy, "member", None) is not None:
        info = strategy.fetch_for_product(product)
        if getattr(info.price, "is_member_price", False):
            return {"is_member": True, "regular": info.price.regular_excl_tax}
        return None
    if not app_settings.MEMBER_PRICE_HINT:
        return None
    member_strategy = Selector().member_strategy_class()(request)
    member_strategy.price_book = PriceBook(entry_tier())
    info = member_strategy.fetch_for_product(product)
    if not getattr(info.price, "is_member_price", False):
        return None
    return {"is_member": False, "price": info.price}


@register.simple_tag(takes_context=True)
def tier_shipping_perks(context) -> list:
    """The tiers' shipping perks for the shipping step ("Free shipping for Gold members")."""
    from ..perks import shipping_perks

    basket = context.get("basket")
    return shipping_perks(basket) if basket is not None else []


@register.simple_tag(takes_context=True)
def loyalty_gifts_waiting(context) -> list:
    """The member's gift vouchers still to use (``gifts.waiting_gifts``), for the member's home."""
    return waiting_gifts(context["member"])


@register.simple_tag(takes_context=True)
def member_price_badge(context, product, price=None) -> dict | None:
    """``{"regular": <Decimal>, "currency": ...}`` when a member pays less for ``product``.

    For product lists: members only, from the price the list shows and hands
    over (``price``: no query per product). Guests see
    "Members pay X" on the product page only: pricing a page for the entry
    tier would cost the list its query budget.
    """
    request = context.get("request")
    strategy = getattr(request, "strategy", None)
    if strategy is None or getattr(strategy, "member", None) is None or product.is_parent:
        return None
    if price is None or isinstance(price, str):  # "": the page has no ``session``
        price = strategy.fetch_for_product(product).price
    if not getattr(price, "is_member_price", False):
        return None
    return {"regular": price.regular_excl_tax, "currency": price.currency}


@register.simple_tag(takes_context=True)
def tier_only_notice(context, product):
    """The product page's "Gold members only" notice (``tier_only.notice_for``), or ``None``.

    No query: the restricted products are the process's copy, the shopper's
    member the one the request's strategy read.
    """
    from ..tier_only import notice_for

    request = context.get("request")
    strategy = getattr(request, "strategy", None)
    return notice_for(product, getattr(strategy, "loyalty_member", None))
