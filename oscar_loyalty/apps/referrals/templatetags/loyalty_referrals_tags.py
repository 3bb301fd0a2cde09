"""``{% loyalty_referral_form %}``: the friend's-code box on the basket page.

``{% loyalty_friend_gift as gift %}`` and ``{% loyalty_referrer_reward as reward %}``:
the friend's gift waiting and what inviting a friend earns, on the member's home.
"""

from django import template

from oscar_loyalty import app_settings
from oscar_loyalty.apps.referrals import services
from oscar_loyalty.club import context_for_request

register = template.Library()


@register.inclusion_tag("oscar_loyalty/referrals/partials/code_form.html", takes_context=True)
def loyalty_referral_form(context):
    """Shown to guests and to customers not yet referred and without orders."""
    request = context.get("request")
    user = getattr(request, "user", None)
    club = context_for_request(request) if request is not None else None
    if club is not None:  # loaded with the request's pricing strategy: no query
        show = (
            not club.referred
            and not club.has_orders
            and not services.has_previous_orders(user)  # guest orders under the address
        )
    else:
        show = request is not None and (
            not getattr(user, "is_authenticated", False)
            or (services.referral_of(user) is None and not services.has_previous_orders(user))
        )
    return {"show": show, "request": request, "csrf_token": context.get("csrf_token")}


@register.simple_tag(takes_context=True)
def loyalty_friend_gift(context):
    """The voucher a friend's code gave this shopper, while it is still to use; else ``None``."""
    return services.waiting_friend_gift(getattr(context.get("request"), "user", None))


@register.filter
def loyalty_in_basket(voucher, request) -> bool:
    """``voucher|loyalty_in_basket:request``: the voucher is in the shopper's basket already."""
    basket = getattr(request, "basket", None)
    if voucher is None or basket is None or not basket.id:
        return False
    return basket.vouchers.filter(pk=voucher.pk).exists()


@register.simple_tag
def loyalty_referrer_reward() -> dict | None:
    """What the member gets for a friend's first order, by the settings in force."""
    reward = app_settings.REFERRALS_REFERRER_REWARD
    if reward == "points" and app_settings.REFERRALS_REFERRER_POINTS:
        return {"points": app_settings.REFERRALS_REFERRER_POINTS}
    if reward == "voucher" and app_settings.REFERRALS_REFERRER_OFFER:
        return {"voucher": True}
    return None
