"""The thank-you page's points, handed over from the place-order request in the session.

The place-order request knows everything the thank-you page says about
points: what it captured (``PointsDiscountBenefit.apply_deferred``) and what
the order will earn (the same quote the preview showed, from the basket and
the request's club context). Reading it back from the database on the
thank-you page cost four queries a stock store never makes (the redemption,
the earning, the member, the order's lines), while the earning itself is
not even recorded yet (the order's task does that after the response).

So Oscar's ``post_checkout`` leaves a receipt in the session, which Oscar
writes in that request anyway (no query of its own), and the thank-you page
reads it when it names the order shown. Anything else (the customer's order
page, staff viewing a thank-you page, an older receipt) reads the database
as before.
"""

from __future__ import annotations

from decimal import Decimal

from oscar_loyalty.apps.membership.baskets import basket_member
from oscar_loyalty.money import ZERO, points_to_money

SESSION_KEY = "loyalty_points_receipt"
THANK_YOU_VIEW = "checkout:thank-you"
# Set on the basket by the points benefit when it captures the reservation.
CAPTURED_ATTRIBUTE = "_loyalty_captured_points"


def remember(request, order) -> None:
    """Called on ``post_checkout``: what the order spent and will earn, from memory."""
    from .earning import preview_points

    basket = getattr(request, "basket", None)
    session = getattr(request, "session", None)
    if basket is None or session is None:
        return
    member = basket_member(basket) if order.user_id else None
    quoted = preview_points(basket, member, now=order.date_placed) if member is not None else 0
    session[SESSION_KEY] = {
        # str: Oscar's number generator hands the place-order request an int.
        "order": str(order.number),
        # Oscar's totals partial (``ReceiptOrder``): each discount's offer as
        # ``str(offer)`` shows it, and the total before discounts.
        "offers": {str(a["offer"].pk): str(a["offer"]) for a in basket.offer_applications},
        "before_discounts_incl_tax": _before_discounts(basket),
        "spent": getattr(basket, CAPTURED_ATTRIBUTE, None),
        "quoted": quoted,
    }


def _receipt(request, order) -> dict | None:
    # The thank-you page only: the customer's order page shows the recorded
    # earning once the task has run, so it always reads the database.
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name != THANK_YOU_VIEW:
        return None
    session = getattr(request, "session", None)
    receipt = session.get(SESSION_KEY) if session is not None else None
    if not receipt or receipt.get("order") != str(order.number):
        return None
    return receipt


def recall(request, order) -> dict | None:
    """On the thank-you page, the receipt of ``order`` if this session placed it (tag values)."""
    receipt = _receipt(request, order)
    if receipt is None:
        return None
    spent = receipt.get("spent")
    return {
        "order": order,
        # Shaped like the redemption row the template reads.
        "spent": {"captured_points": spent, "returned_points": 0} if spent else None,
        "spent_value": points_to_money(spent) if spent else None,
        "earned": None,
        "quoted": receipt.get("quoted") or 0,
    }


def _before_discounts(basket) -> str | None:
    """The sum of the order lines' ``line_price_before_discounts_incl_tax``, as stored.

    Oscar stores each basket line's ``line_price_incl_tax`` there. Only when
    every one is whole cents is the sum of the stored values known without
    the database's rounding; otherwise ``None`` (Oscar's own query then).
    """
    total = ZERO
    for line in basket.all_lines():
        price = line.line_price_incl_tax
        if price is None or price.as_tuple().exponent < -2:
            return None
        total += price
    return str(total)


class ReceiptDiscount:
    """An order discount whose ``offer`` is the name the receipt recorded (no query)."""

    def __init__(self, discount, offer_name: str | None):
        self._discount, self._offer_name = discount, offer_name

    def __getattr__(self, name):
        return getattr(self._discount, name)

    @property
    def offer(self):
        return self._offer_name if self._offer_name is not None else self._discount.offer


class ReceiptOrder:
    """The order as Oscar's totals partial reads it, on the thank-you page of its session.

    Oscar's partial asks the database for the total before discounts (a
    ``SUM`` over the lines) and for each discount's offer (one query each):
    queries a stock store's thank-you page does not make when the add-on is
    what put a discount on the order. Both were known when the order was
    placed; everything else is the order itself.
    """

    def __init__(self, order, receipt: dict):
        self._order, self._receipt = order, receipt

    def __getattr__(self, name):
        return getattr(self._order, name)

    @property
    def basket_total_before_discounts_incl_tax(self):
        value = self._receipt.get("before_discounts_incl_tax")
        if value is None:
            return self._order.basket_total_before_discounts_incl_tax
        return Decimal(value)

    @property
    def basket_discounts(self):
        names = self._receipt.get("offers") or {}
        return [
            ReceiptDiscount(discount, names.get(str(discount.offer_id)))
            for discount in self._order.basket_discounts
        ]


def order_for_totals(order, request):
    """``ReceiptOrder`` on the thank-you page of the session that placed ``order``; else it."""
    receipt = _receipt(request, order)
    return ReceiptOrder(order, receipt) if receipt is not None else order
