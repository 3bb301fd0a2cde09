"""The same club events, told again from what Oscar recorded, for the daily catch-up.

A receiver that failed, a crash between two commits or a lost task leaves a
cancellation, a refund or a cancelled line whose steps did not all run. The
rows are still there: a status, a ``PaymentEvent``, a ``PaymentEventQuantity``.
``reversals`` translates them with the same functions the receivers use, so
the catch-up dispatches exactly the event the signal would have, under the
same key, and every registered step gets its chance again.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import DecimalField, OuterRef, Subquery, Sum
from oscar.core.loading import get_model

from oscar_loyalty import app_settings

from . import events
from .events import OrderEvent

MONEY = DecimalField(max_digits=12, decimal_places=2)


def reversals(orders, *, since: datetime) -> list[OrderEvent]:
    """Cancellations, refunds and cancelled lines of ``orders`` since ``since``, in the order
    their signals come: cancelled orders, then refunds (each event before its lines), then
    cancelled lines. ``orders`` is a queryset the caller narrows (say, to orders with points).
    """
    Line = get_model("order", "Line")
    PaymentEvent = get_model("order", "PaymentEvent")
    told: list[OrderEvent] = []
    cancelled = orders.filter(
        status__in=app_settings.CANCELLED_ORDER_STATUSES, date_placed__gte=since
    )
    for order in cancelled.order_by("pk").iterator():
        told.append(events.status_changed(order, "", order.status))

    refund = {"event_type__name__in": app_settings.REFUND_EVENT_TYPES}
    so_far = (
        PaymentEvent.objects.filter(
            order_id=OuterRef("order_id"), pk__lte=OuterRef("pk"), **refund
        )
        .order_by()
        .values("order_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    refunds = (
        PaymentEvent.objects.filter(date_created__gte=since, order__in=orders, **refund)
        .annotate(so_far=Subquery(so_far, output_field=MONEY))
        .select_related("order", "event_type")
        .prefetch_related("line_quantities__line")
        .order_by("pk")
    )
    for event in refunds.iterator(chunk_size=200):
        told.append(events.refunded(event, refunded_so_far=event.so_far))
        told.extend(events.line_refunded(quantity) for quantity in event.line_quantities.all())

    lines = Line.objects.filter(
        status__in=app_settings.CANCELLED_ORDER_STATUSES,
        order__in=orders.filter(date_placed__gte=since),
    ).select_related("order")
    for line in lines.order_by("pk").iterator():
        told.append(events.line_status_changed(line, line.status))
    return told
