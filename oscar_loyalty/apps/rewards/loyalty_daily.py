"""The rewards app's daily jobs (``oscar_loyalty.daily``)."""

from __future__ import annotations

from oscar_loyalty import app_settings, daily

from . import services
from .models import RewardRedemption


@daily.register("rewards.release", order=85)
def release() -> dict[str, int]:
    """Return the points of unused rewards: lapsed baskets, expired vouchers, cancelled orders."""
    cancelled = 0
    for redemption in RewardRedemption.objects.filter(
        status=RewardRedemption.CAPTURED,
        order__status__in=list(app_settings.CANCELLED_ORDER_STATUSES),
    ).order_by("pk"):
        cancelled += services.return_points(redemption, reason="Order cancelled")
    return {
        "basket": services.release_lapsed(),
        "vouchers": services.return_unused_vouchers(),
        "cancelled_orders": cancelled,
    }
