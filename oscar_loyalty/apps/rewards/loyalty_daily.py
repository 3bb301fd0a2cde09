"""The rewards app's daily jobs (``oscar_loyalty.daily``)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from oscar.core.loading import get_model

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
        "given_back_lines": _given_back_lines(),
    }


def _given_back_lines() -> int:
    """Rewards whose line was refunded or cancelled on its own, and whose step did not run."""
    Line = get_model("order", "Line")
    given_back = Line._default_manager.filter(
        order_id=OuterRef("order_id"), product_id=OuterRef("reward__product_id")
    ).filter(
        Q(status__in=list(app_settings.CANCELLED_ORDER_STATUSES))
        | Q(payment_event_quantities__event__event_type__name__in=app_settings.REFUND_EVENT_TYPES)
    )
    waiting = (
        RewardRedemption.objects.filter(status=RewardRedemption.CAPTURED, order__isnull=False)
        .filter(Exists(given_back))
        .order_by()
        .values_list("order_id", "reward__product_id")
        .distinct()
    )
    returned = 0
    for order_id, product_id in waiting:
        line = (
            Line._default_manager.select_related("order")
            .filter(order_id=order_id, product_id=product_id)
            .first()
        )
        returned += services.return_for_given_back_line(line, reason="Refunded item")
    return returned
