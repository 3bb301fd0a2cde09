"""The club's order events, and their translation from Oscar's rows and signals.

Oscar tells of an order in many ways: ``order_placed``, a status change of
the order or of one line, a ``PaymentEvent`` of a refund type and then its
``PaymentEventQuantity`` rows, one per line; the till records its purchase
without any of them. Each is translated here, once, into one of a few
frozen values, the way Anymail turns every ESP's webhook into one
``AnymailTrackingEvent``. The apps never read Oscar's signals for an order
again: they register steps for these events (``steps.register``).

Every event carries the Oscar ``order`` it is about and a ``key``: the same
fact told twice (a replayed signal, the daily catch-up) has the same key, and
the steps use it to do their work once.

A status in ``OSCAR_LOYALTY_CANCELLED_ORDER_STATUSES`` is a cancellation; a
payment event whose type is in ``OSCAR_LOYALTY_REFUND_EVENT_TYPES`` is a
refund. Both are core settings; what any other status means (points that
mature, for example) is for the app that cares to decide, so the core only
passes it on as ``OrderStatusChanged``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.db.models import Sum
from oscar.core.loading import get_model

from oscar_loyalty import app_settings

#: ``Order.shipping_code`` of an order the till recorded (``apps.partners.instore``).
INSTORE_SHIPPING_CODE = "in-store"


@dataclass(frozen=True)
class OrderEvent:
    """What every club event has: the Oscar order, its name and its key."""

    name: ClassVar[str] = ""

    order: Any

    @property
    def key(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class OrderPlaced(OrderEvent):
    """An order was placed (Oscar's ``order_placed``, in the order's background task)."""

    name: ClassVar[str] = "order_placed"

    @property
    def key(self) -> str:
        return f"order:{self.order.pk}:placed"


@dataclass(frozen=True)
class InStorePurchase(OrderEvent):
    """Staff recorded a purchase at the till: an Oscar order, without ``order_placed``.

    ``staff_user`` is ``None`` when the daily catch-up tells it again.
    """

    name: ClassVar[str] = "instore_purchase"

    staff_user: Any = None

    @property
    def key(self) -> str:
        return f"order:{self.order.pk}:placed"


@dataclass(frozen=True)
class OrderStatusChanged(OrderEvent):
    """The order moved to a status that is not a cancellation."""

    name: ClassVar[str] = "order_status_changed"

    old_status: str
    new_status: str

    @property
    def key(self) -> str:
        return f"order:{self.order.pk}:status:{self.new_status}"


@dataclass(frozen=True)
class OrderCancelled(OrderEvent):
    """The order moved to a status in ``OSCAR_LOYALTY_CANCELLED_ORDER_STATUSES``."""

    name: ClassVar[str] = "order_cancelled"

    status: str

    @property
    def key(self) -> str:
        return f"order:{self.order.pk}:cancelled"

    @property
    def reason(self) -> str:
        return f"Order {self.status.lower()}"


@dataclass(frozen=True)
class LineCancelled(OrderEvent):
    """One line moved to a cancelled status (all of its ``quantity``)."""

    name: ClassVar[str] = "line_cancelled"

    line: Any
    quantity: int
    status: str

    @property
    def key(self) -> str:
        return f"line:{self.line.pk}:cancelled"

    @property
    def reason(self) -> str:
        return f"Item {self.status.lower()}"


@dataclass(frozen=True)
class OrderRefunded(OrderEvent):
    """A payment event of a refund type was recorded for the order.

    ``amount`` is this refund's; ``in_full`` says whether the order's refunds
    so far, this one included, reach its total (then the order no longer
    counts: ``counted_orders``). The lines it covers, if Oscar was told,
    follow as ``LineRefunded`` events.
    """

    name: ClassVar[str] = "order_refunded"

    payment_event: Any
    amount: Decimal
    in_full: bool
    reference: str = ""

    @property
    def key(self) -> str:
        return f"refund:{self.payment_event.pk}"

    @property
    def reason(self) -> str:
        return f"Refund {self.reference}".strip()


@dataclass(frozen=True)
class LineRefunded(OrderEvent):
    """``quantity`` items of one line were refunded (a ``PaymentEventQuantity`` row)."""

    name: ClassVar[str] = "line_refunded"

    payment_event: Any
    line: Any
    quantity: int

    @property
    def key(self) -> str:
        return f"refund:{self.payment_event.pk}:line:{self.line.pk}"

    @property
    def reason(self) -> str:
        return "Refund"


#: Every event class, by name.
EVENTS: dict[str, type[OrderEvent]] = {
    cls.name: cls
    for cls in (
        OrderPlaced,
        InStorePurchase,
        OrderStatusChanged,
        OrderCancelled,
        LineCancelled,
        OrderRefunded,
        LineRefunded,
    )
}


# Translation: from what Oscar recorded to the club's events ---------------------------


def placed(order) -> OrderPlaced | InStorePurchase:
    """The event of a placed order: the till's purchases are told apart by their shipping code."""
    if order.shipping_code == INSTORE_SHIPPING_CODE:
        return InStorePurchase(order=order)
    return OrderPlaced(order=order)


def status_changed(order, old_status: str, new_status: str) -> OrderEvent:
    if new_status in app_settings.CANCELLED_ORDER_STATUSES:
        return OrderCancelled(order=order, status=new_status)
    return OrderStatusChanged(order=order, old_status=old_status, new_status=new_status)


def line_status_changed(line, new_status: str) -> LineCancelled | None:
    if new_status not in app_settings.CANCELLED_ORDER_STATUSES:
        return None
    return LineCancelled(order=line.order, line=line, quantity=line.quantity, status=new_status)


def is_refund(payment_event) -> bool:
    return payment_event.event_type.name in app_settings.REFUND_EVENT_TYPES


def refunded(payment_event, *, refunded_so_far: Decimal | None = None) -> OrderRefunded | None:
    """The refund a saved payment event records, or ``None`` for any other payment event.

    ``refunded_so_far``: the order's refunds up to this one, if the caller summed
    them already (the catch-up does, in its one query); else they are summed here.
    """
    if not is_refund(payment_event):
        return None
    order = payment_event.order
    if refunded_so_far is None:
        refunded_so_far = (
            _refunds_of(order).filter(pk__lte=payment_event.pk).aggregate(total=Sum("amount"))
        )["total"]
    return OrderRefunded(
        order=order,
        payment_event=payment_event,
        amount=payment_event.amount,
        in_full=(refunded_so_far or Decimal(0)) >= order.total_incl_tax,
        reference=payment_event.reference or "",
    )


def line_refunded(quantity) -> LineRefunded | None:
    """The line refund a saved ``PaymentEventQuantity`` records, if its event is a refund."""
    payment_event = quantity.event
    if not is_refund(payment_event):
        return None
    return LineRefunded(
        order=payment_event.order,
        payment_event=payment_event,
        line=quantity.line,
        quantity=quantity.quantity,
    )


def _refunds_of(order):
    PaymentEvent = get_model("order", "PaymentEvent")
    return PaymentEvent.objects.filter(
        order=order, event_type__name__in=app_settings.REFUND_EVENT_TYPES
    )
