"""Thin adapters from signals to the offers services. They never break what sent the signal."""

from __future__ import annotations

import logging

from django.db.models.signals import post_delete, post_save
from oscar.apps.basket.signals import voucher_addition

from oscar_loyalty import signals
from oscar_loyalty.receiving import may_raise, never_raises

logger = logging.getLogger(__name__)


@never_raises
def on_member_joined(sender, member, source=None, **kwargs) -> None:
    from . import gifts

    gift = None
    try:
        gift = gifts.issue_welcome_gift(member)
    except Exception:  # noqa: BLE001 - joining must not fail over a gift.
        logger.exception("Welcome gift failed for member %s", member.pk)
    gifts.send_welcome_email(member, gift)


@never_raises
def on_voucher_added(sender, basket, voucher, **kwargs) -> None:
    """Tell the shopper why a members-only voucher is about to be refused.

    Oscar's voucher view (the sender) then finds no discount and removes the
    voucher with its own, vaguer warning; this adds the reason first.
    """
    from .services import voucher_refusal_reason

    request = getattr(sender, "request", None)
    if request is None:
        return
    reason = voucher_refusal_reason(voucher, basket)
    if reason:
        from django.contrib import messages

        messages.error(request, reason)


@may_raise("the bump runs in the writer's transaction; stale prices must fail it")
def on_price_source_changed(sender, **kwargs) -> None:
    """A member price, tier discount or plan changed: cached price books are stale.

    No try/except: the bump runs in the writer's transaction, and a write
    whose prices every process would keep serving stale must fail instead.
    """
    from .pricing import bump_price_book

    bump_price_book()


@may_raise("the bump runs in the writer's transaction, like a price's")
def on_tier_perk_changed(sender, **kwargs) -> None:
    """A tier-perk rule changed: every process re-reads the rules (``perks.rules``)."""
    from django.db import transaction

    from .perks import forget_rules
    from .pricing import bump_price_book

    if not kwargs.get("action", "post_").startswith("post_"):
        return  # m2m_changed: once, after the tiers changed
    bump_price_book()
    forget_rules()
    transaction.on_commit(forget_rules)


@never_raises
def on_tier_only_source_changed(sender, **kwargs) -> None:
    """A tier-only rule or a range's contents changed: this process re-reads the products.

    Forgotten now and again after the commit, so neither this transaction's
    requests nor the next ones serve the old list (other processes: the TTL).
    """
    from django.db import transaction

    from .tier_only import forget_tier_only_products

    if not kwargs.get("action", "post_").startswith("post_"):
        return  # m2m_changed: once, after the change
    forget_tier_only_products()
    transaction.on_commit(forget_tier_only_products)


def _connect_tier_only(post_save, post_delete, m2m_changed) -> None:
    from oscar.core.loading import get_model

    from .models import TierOnlyRange

    Range = get_model("offer", "Range")
    ProductCategory = get_model("catalogue", "ProductCategory")
    # The rule itself, and what decides a range's products (Oscar's range dashboard).
    saved = (TierOnlyRange, Range, Range.included_products.through, ProductCategory)
    for model in saved:
        for signal in (post_save, post_delete):
            signal.connect(
                on_tier_only_source_changed,
                sender=model,
                dispatch_uid=f"loyalty_offers.tier_only.{signal is post_save}.{model.__name__}",
            )
    relations = (
        TierOnlyRange.tiers.through,
        Range.excluded_products.through,
        Range.classes.through,
        Range.included_categories.through,
    )
    for through in relations:
        m2m_changed.connect(
            on_tier_only_source_changed,
            sender=through,
            dispatch_uid=f"loyalty_offers.tier_only.m2m.{through.__name__}",
        )


@may_raise("the bump runs in the writer's transaction, like a price's")
def on_range_changed(sender, **kwargs) -> None:
    """A range, its products, types or categories, a product's categories or a category
    changed: the tier perks' ranges kept in memory are stale (``perk_snapshot``)."""
    from django.db import transaction

    from .perk_snapshot import forget
    from .pricing import bump_price_book

    if not kwargs.get("action", "post_").startswith("post_"):
        return  # m2m_changed: once, after the change
    bump_price_book()
    forget()
    transaction.on_commit(forget)


def _connect_ranges() -> None:
    from django.db.models.signals import m2m_changed
    from oscar.core.loading import get_model

    Range = get_model("offer", "Range")
    Product = get_model("catalogue", "Product")
    for model in (
        Range,
        get_model("offer", "RangeProduct"),
        get_model("catalogue", "ProductCategory"),
        get_model("catalogue", "Category"),
    ):
        for signal in (post_save, post_delete):
            signal.connect(
                on_range_changed,
                sender=model,
                dispatch_uid=f"loyalty_offers.perk_ranges.{signal is post_save}.{model.__name__}",
            )
    for through in {
        Range.included_products.through,
        Range.excluded_products.through,
        Range.classes.through,
        Range.included_categories.through,
        Range.excluded_categories.through,
        Product.categories.through,
    }:
        m2m_changed.connect(
            on_range_changed,
            sender=through,
            dispatch_uid=f"loyalty_offers.perk_ranges.m2m.{through._meta.label}",
        )


def connect() -> None:
    from django.db.models.signals import m2m_changed

    from oscar_loyalty.apps.membership.models import Plan

    from .models import MemberPrice, TierDiscount, TierPerkRule

    for model in (MemberPrice, TierDiscount, Plan):
        for signal in (post_save, post_delete):
            signal.connect(
                on_price_source_changed,
                sender=model,
                dispatch_uid=f"loyalty_offers.price_book.{signal is post_save}.{model.__name__}",
            )
    for signal in (post_save, post_delete):
        signal.connect(
            on_tier_perk_changed,
            sender=TierPerkRule,
            dispatch_uid=f"loyalty_offers.tier_perks.{signal is post_save}",
        )
    m2m_changed.connect(
        on_tier_perk_changed,
        sender=TierPerkRule.tiers.through,
        dispatch_uid="loyalty_offers.tier_perks.tiers",
    )
    _connect_tier_only(post_save, post_delete, m2m_changed)
    _connect_ranges()
    signals.member_joined.connect(on_member_joined, dispatch_uid="loyalty_offers.member_joined")
    voucher_addition.connect(on_voucher_added, dispatch_uid="loyalty_offers.voucher_added")
