"""A basket line removed or reduced releases the rewards it no longer holds.

Thin: after the line's change commits, ``services.sync_basket`` does the
work in its own transaction with the rows locked. A process that dies in
between leaves the reward reserved; the daily job ``rewards.release``
releases it (it syncs every basket with a reserved reward).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from oscar.core.loading import get_model


def line_changed(sender, instance, **kwargs) -> None:
    basket_id = instance.basket_id
    if basket_id is None:
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
