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

from oscar_loyalty.money import points_to_money

SESSION_KEY = "loyalty_points_receipt"
THANK_YOU_VIEW = "checkout:thank-you"
# Set on the basket by the points benefit when it captures the reservation.
CAPTURED_ATTRIBUTE = "_loyalty_captured_points"


def remember(request, order) -> None:
    """Called on ``post_checkout``: what the order spent and will earn, from memory."""
    from oscar_loyalty.apps.membership.baskets import basket_member
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
        "spent": getattr(basket, CAPTURED_ATTRIBUTE, None),
        "quoted": quoted,
    }


def recall(request, order) -> dict | None:
    """On the thank-you page, the receipt of ``order`` if this session placed it (tag values)."""
    # The thank-you page only: the customer's order page shows the recorded
    # earning once the task has run, so it always reads the database.
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name != THANK_YOU_VIEW:
        return None
    session = getattr(request, "session", None)
    receipt = session.get(SESSION_KEY) if session is not None else None
    if not receipt or receipt.get("order") != str(order.number):
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
