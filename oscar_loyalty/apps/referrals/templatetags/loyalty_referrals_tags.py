"""``{% loyalty_referral_form %}``: the friend's-code box on the basket page."""

from django import template

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
