"""Points on Oscar's pages and on the member's home.

``{% loyalty_points_basket %}`` (basket page), ``{% loyalty_points_balance %}``
(checkout preview), ``{% loyalty_points_order order %}`` (thank-you page, order
detail). The first two also say "You will earn N points", from the earning
policy and the request's club context (no query).
"""

from django import template
from django.utils import timezone

from oscar_loyalty.apps.membership.baskets import basket_member
from oscar_loyalty.apps.points import home, receipt, redemption, services
from oscar_loyalty.apps.points.earning import member_for_order, preview_points
from oscar_loyalty.apps.points.forms import ApplyPointsForm
from oscar_loyalty.apps.points.models import PointsEarning, PointsRedemption
from oscar_loyalty.apps.points.policies import get_policy
from oscar_loyalty.money import points_to_money

register = template.Library()


@register.inclusion_tag("oscar_loyalty/points/partials/basket_points.html", takes_context=True)
def loyalty_points_basket(context):
    """Balance, its value and the apply form; nothing for guests and non-members."""
    request = context.get("request")
    basket = getattr(request, "basket", None)
    # basket_member is read once per basket (the offers' condition asked
    # already): no query for guests and non-members.
    if basket is None or basket_member(basket) is None:
        return {"show": False}
    summary = services.summary_for_request(request)
    if summary.member_id is None:
        return {"show": False}
    applied = redemption.redemption_for(basket)
    live = applied if applied is not None and applied.is_live() else None
    max_points = min(
        summary.available + (live.points if live else 0), redemption.max_points_for_basket(basket)
    )
    return {
        "show": True,
        "summary": summary,
        "redemption": live,
        "discount": redemption.points_discount(basket) if live else None,
        "max_points": max(max_points, 0),
        "max_value": points_to_money(max(max_points, 0)),
        "form": ApplyPointsForm(initial={"points": live.points if live else None}),
        "will_earn": preview_points(basket, basket_member(basket)),
        "currency": basket.currency,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("oscar_loyalty/points/partials/order_points.html", takes_context=True)
def loyalty_points_order(context, order):
    """Points spent on and earned by an order (thank-you page, order detail).

    On the thank-you page of the session that placed the order, from the
    receipt the place-order request left (``receipt``): no query.
    """
    handed_over = receipt.recall(context.get("request"), order)
    if handed_over is not None:
        return handed_over
    spent = (
        PointsRedemption.objects.filter(order=order, status=PointsRedemption.CAPTURED)
        .only("captured_points", "returned_points")
        .first()
    )
    earned = PointsEarning.objects.filter(order=order).first()
    return {
        "order": order,
        "spent": spent,
        "spent_value": points_to_money(spent.captured_points) if spent else None,
        "earned": earned,
        # The earning is recorded by the background task that follows
        # ``order_placed`` (oscar_loyalty.orders); until the worker has run,
        # the thank-you page shows the same policy's quote, written nowhere.
        "quoted": _quote_unrecorded(order) if earned is None else 0,
    }


def _quote_unrecorded(order) -> int:
    member = member_for_order(order)
    placed = order.date_placed
    if member is None or placed is None or not member.has_benefits(placed):
        return 0
    return get_policy().quote_order(order, member, now=placed).points


@register.filter
def loyalty_receipt_order(order, request):
    """``{% with order=order|loyalty_receipt_order:request %}`` around Oscar's totals (receipt)."""
    return receipt.order_for_totals(order, request)


@register.inclusion_tag("oscar_loyalty/points/partials/balance.html", takes_context=True)
def loyalty_points_balance(context):
    """One line with the member's balance and its value (checkout preview)."""
    request = context.get("request")
    summary = services.summary_for_request(request)
    basket = getattr(request, "basket", None)
    show = summary.member_id is not None
    return {
        "show": show,
        "summary": summary,
        "will_earn": preview_points(basket, basket_member(basket)) if show and basket else 0,
        "currency": getattr(basket, "currency", None),
    }


@register.simple_tag(takes_context=True)
def loyalty_points_home(context):
    """The member's points figures for the member's home (``points.home``)."""
    return home.points_home(context.get("request"), context["member"])


@register.simple_tag(takes_context=True)
def loyalty_ways_to_earn(context):
    """The earning policy's rules and the bonuses, as sentences (``points.home``)."""
    return home.ways_to_earn(context["member"], now=timezone.now())
