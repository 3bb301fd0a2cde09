"""``{% loyalty_referral_form %}``: the friend's-code box on the basket page."""

from django import template

from oscar_loyalty.apps.referrals import services

register = template.Library()


@register.inclusion_tag("oscar_loyalty/referrals/partials/code_form.html", takes_context=True)
def loyalty_referral_form(context):
    """Shown to guests and to customers not yet referred and without orders."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = request is not None and (
        not getattr(user, "is_authenticated", False)
        or (services.referral_of(user) is None and not services.has_previous_orders(user))
    )
    return {"show": show, "request": request, "csrf_token": context.get("csrf_token")}
