"""Points on Oscar's pages and on the member's home.

``{% loyalty_points_basket %}`` (basket page), ``{% loyalty_points_balance %}``
(checkout preview), ``{% loyalty_points_order order %}`` (thank-you page, order
detail). The first two also say "You will earn N points", from the earning
policy and the request's club context (no query).
"""

from django import template
from django.utils import timezone

from oscar_loyalty import app_settings
from oscar_loyalty.apps.membership.baskets import basket_member
from oscar_loyalty.apps.points import hints, home, receipt, redemption, services
from oscar_loyalty.apps.points.earning import member_for_order, preview_points
from oscar_loyalty.apps.points.forms import ApplyPointsForm
from oscar_loyalty.apps.points.models import PointsEarning, PointsRedemption
from oscar_loyalty.apps.points.policies import get_policy
from oscar_loyalty.money import points_to_money

register = template.Library()


@register.simple_tag(takes_context=True)
def loyalty_earn_hint(context, product, price=None):
    """``{% loyalty_earn_hint product session.price as hint %}``: "Earn N points" under a price.

    From the price the page shows (a product list hands it over: no query)
    and the checkout's earning policy (``points.hints``). Without ``price``
    (the product page) the request's strategy prices the product.
    ``None`` when there is nothing to earn.
    """
    request = context.get("request")
    strategy = getattr(request, "strategy", None)
    if strategy is None or product.is_parent:
        return None
    if price is None or isinstance(price, str):  # "": the page has no ``session``
        price = strategy.fetch_for_product(product).price
    return hints.earn_hint(request, product, price)


@register.inclusion_tag("oscar_loyalty/points/partials/basket_points.html", takes_context=True)
def loyalty_points_basket(context):
    """Balance, its value and the apply form; nothing for guests and non-members."""
    request = context.get("request")
    basket = getattr(request, "basket", None)
    # basket_member is read once per basket (the offers' condition asked
    # already): no query for guests and non-members.
    if basket is None or basket_member(basket) is None:
        return {"show": False}
    member = basket_member(basket)
    if not member.has_benefits():
        return {"show": False}
    summary = services.summary_for_request(request)
    # A new member has no points account until their first earning: the box
    # shows anyway, with what they will earn and how points work.
    is_new = summary.member_id is None
    applied = None if is_new else redemption.redemption_for(basket)
    live = applied if applied is not None and applied.is_live() else None
    max_points = min(
        summary.available + (live.points if live else 0), redemption.max_points_for_basket(basket)
    )
    return {
        "show": True,
        "is_new": is_new,
        "pending_days": app_settings.POINTS_PENDING_DAYS,
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
    applied = redemption.redemption_for(basket) if show and basket is not None else None
    live = applied if applied is not None and applied.is_live() else None
    # The balance once this order is placed: the applied points leave it
    # (they are only held until then, so the summary still counts them).
    after = max(summary.balance - live.points, 0) if live else summary.balance
    return {
        "show": show,
        "summary": summary,
        "redemption": live,
        "after": after,
        "after_value": points_to_money(after),
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
