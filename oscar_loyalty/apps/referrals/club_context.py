"""The referrals app's fields of the club context (``oscar_loyalty.club``).

Whether the friend's-code box applies: ``referred`` (the shopper was already
referred) and ``has_orders`` (orders that count, placed while signed in).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from oscar.core.loading import get_model

from oscar_loyalty.club import Field, register
from oscar_loyalty.order_events import counted_orders

from .models import Referral


def annotate_referred(**arguments):
    return {"loyalty_referred": Exists(Referral.objects.filter(referee_id=OuterRef("pk")))}


def annotate_has_orders(**arguments):
    Order = get_model("order", "Order")
    # Own orders only (an indexed lookup); guest orders under the same address
    # need a scan, so the referral box asks for them itself, and only for a
    # shopper with no orders of their own. Only orders that count: a customer
    # whose only order was cancelled may still be referred (services.link_referee),
    # so the box must show.
    own = counted_orders(Order.objects.filter(user_id=OuterRef("pk")))
    return {"loyalty_has_orders": Exists(own)}


register(
    Field("referred", read=lambda row, reading: row.loyalty_referred, annotate=annotate_referred),
    Field(
        "has_orders",
        read=lambda row, reading: row.loyalty_has_orders,
        annotate=annotate_has_orders,
    ),
)
