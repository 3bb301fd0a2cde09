"""Orders that count: not cancelled, not refunded in full.

Tier spend, segments, reports, prize draws, referral qualification and the
daily catch-up all ask the same question of an order; this is its one answer.
An order counts unless its status is one of
``OSCAR_LOYALTY_CANCELLED_ORDER_STATUSES`` or the refund payment events
recorded for it (``OSCAR_LOYALTY_REFUND_EVENT_TYPES``) add up to its total.
A partial refund leaves the order counting (its lines are reversed one by one
where it matters, for points).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from oscar.core.loading import get_model

from oscar_loyalty import app_settings

# SQLite sums decimals as floats: 33.33 + 33.33 + 33.34 may come out a hair under
# 100.00. Amounts have two decimals, so half a cent of slack is exact enough.
HALF_CENT = Decimal("0.005")
MONEY = DecimalField(max_digits=12, decimal_places=3)


def order_counts(path: str = "") -> Q:
    """The condition an order meets to count, as a ``Q``.

    ``path`` reaches the order from the queryset's model: ``""`` for orders,
    ``"order__"`` for order lines. Both clauses stay on the order's own row
    (its status and one correlated sum of its refunds), so callers keep
    their indexes and their one query.
    """
    PaymentEvent = get_model("order", "PaymentEvent")
    refunded = Subquery(
        PaymentEvent.objects.filter(
            order_id=OuterRef(f"{path}pk"),
            event_type__name__in=app_settings.REFUND_EVENT_TYPES,
        )
        .order_by()
        .values("order_id")
        .annotate(refunded=Sum("amount"))
        .values("refunded"),
        output_field=MONEY,
    )
    # No refund at all is -1, never "in full", even for an order of 0.00.
    in_full = GreaterThan(
        Coalesce(refunded, Value(Decimal("-1")), output_field=MONEY),
        ExpressionWrapper(F(f"{path}total_incl_tax") - Value(HALF_CENT), output_field=MONEY),
    )
    return ~Q(**{f"{path}status__in": app_settings.CANCELLED_ORDER_STATUSES}) & ~Q(in_full)


def counted_orders(orders=None):
    """``orders`` (default: every order) less the cancelled and the refunded in full."""
    if orders is None:
        orders = get_model("order", "Order").objects.all()
    return orders.filter(order_counts())
