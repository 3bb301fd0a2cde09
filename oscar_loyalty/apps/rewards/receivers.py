"""A basket line removed or reduced releases the rewards it no longer holds.

Thin: after the line's change commits, ``services.sync_basket`` does the
work in its own transaction with the rows locked. A process that dies in
between leaves the reward reserved; the daily job ``rewards.release``
releases it (it syncs every basket with a reserved reward).

Every add to basket saves a line, so the receiver first asks the process's
copy of the products a reward can put in a basket (``reward_products``, no
query): a line of any other product holds no reward, and the store's add to
basket keeps its query budget (issue #18: at most one extra query a page).
"""

from __future__ import annotations

import time

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from oscar.core.loading import get_model

from oscar_loyalty import site_offers
from oscar_loyalty.receiving import never_raises

from .models import Reward

# The saving process forgets its copy at once (``forget_reward_products``); other
# processes within this many seconds. A gift line removed in another process in that
# window is released by the daily job instead of at once.
PRODUCTS_TTL = 60.0
# (product ids, read at), one per process, replaced whole.
_products: tuple[frozenset[int], float] | None = None


def reward_products() -> frozenset[int]:
    """The products of the basket kinds of reward (gift, points plus cash): one query a minute."""
    global _products
    clock = time.monotonic()
    if _products is None or clock - _products[1] > PRODUCTS_TTL:
        ids = Reward.objects.filter(
            kind__in=Reward.BASKET_KINDS, product__isnull=False
        ).values_list("product_id", flat=True)
        _products = (frozenset(ids), clock)
    return _products[0]


def forget_reward_products(**kwargs) -> None:
    global _products
    _products = None


@never_raises
def line_changed(sender, instance, **kwargs) -> None:
    basket_id = instance.basket_id
    if basket_id is None or instance.product_id not in reward_products():
        return
    from . import services
    from .models import RewardRedemption

    # Cheap guard: most baskets hold no reward.
    if not RewardRedemption.objects.filter(
        basket_id=basket_id, status=RewardRedemption.RESERVED
    ).exists():
        return
    transaction.on_commit(lambda: services.sync_basket(basket_id))


def connect() -> None:
    Line = get_model("basket", "Line")
    post_delete.connect(line_changed, sender=Line, dispatch_uid="loyalty_rewards.line_deleted")
    post_save.connect(line_changed, sender=Line, dispatch_uid="loyalty_rewards.line_saved")
    # The discount row's name from memory (shared with the other offer app).
    site_offers.connect_order_discount_name()
    for signal in (post_save, post_delete):
        signal.connect(
            forget_reward_products,
            sender=Reward,
            dispatch_uid=f"loyalty_rewards.products.{signal is post_save}",
        )
