"""Redeeming rewards: points debited once, under the checkout's locks; returned at most once.

**Lock order** (the checkout's, ``points.redemption.reserve_points``, extended):
points account, then basket, then reward, then redemption. Every path here
takes them in that order, so a redemption, a checkout spending points and
a return never wait on each other in a cycle.

A reward's points are *captured at once*: the ledger debit is written in
the redemption's own transaction, with the account locked and the balance
less every live checkout reservation checked inside the lock (the
checkout's own rule). Nothing waits for a later settlement, so the
checkout's available balance sees the debit without knowing rewards exist.
What a basket reward *reserves* is its unit of stock and the money off its
product, until the order captures it (``capture_for_order``, in Oscar's
order transaction) or it is released: the line left the basket, the hold
lapsed, the order was cancelled, the voucher expired unused. Releasing
returns the points into the very lots they came from (``return_points``),
once: a conditional status change and the ledger's unique key
``reward-return:<pk>`` make a replay a no-op.

The use cases live in their own modules, and this one re-exports their public
functions (``from oscar_loyalty.apps.rewards import services`` keeps working):

* ``redeem``: eligibility, the member's catalogue, redeeming;
* ``holds``: a basket reward's hold, captured by the order or released (the
  basket sync and the daily net);
* ``returns``: giving points back once, for every reason (``return_points``),
  a line refunded on its own included (``return_for_given_back_line``).
"""

from __future__ import annotations

from django.db.models import Count, Q

from oscar_loyalty.apps.membership.models import Member

from .holds import (
    capture_for_order,
    release_from_basket,
    release_lapsed,
    reserved_for,
    sync_basket,
)
from .models import Reward, RewardRedemption
from .redeem import (
    CatalogueItem,
    catalogue_for,
    forget_basket_cache,
    open_rewards,
    redeem,
    refusal,
)
from .returns import (
    return_for_given_back_line,
    return_for_order,
    return_points,
    return_unused_vouchers,
)

__all__ = [
    "CatalogueItem",
    "capture_for_order",
    "catalogue_for",
    "forget_basket_cache",
    "open_rewards",
    "redeem",
    "redemption_counts",
    "redemptions_for",
    "refusal",
    "release_from_basket",
    "release_lapsed",
    "reserved_for",
    "return_for_given_back_line",
    "return_for_order",
    "return_points",
    "return_unused_vouchers",
    "sync_basket",
]


# Reading -----------------------------------------------------------------------


def redemptions_for(member: Member):
    return RewardRedemption.objects.filter(member=member).select_related("reward", "voucher")


def redemption_counts():
    """Per reward: redemptions holding a unit, and those whose points came back (dashboard)."""
    return Reward.objects.annotate(
        redeemed=Count("redemptions", filter=Q(redemptions__status__in=RewardRedemption.HOLDING)),
        returned=Count("redemptions", filter=Q(redemptions__status=RewardRedemption.RETURNED)),
    )
