"""Template helpers for right-to-left pages.

``{{ member.formatted_number|ltr }}``: a value that reads left to right (member
numbers in groups, codes, URLs) keeps its order inside Hebrew text. Without
the isolate, "4649 8070 98" in a right-to-left sentence is shown as
"98 8070 4649": the digit groups are laid out right to left.
"""

from django import template
from django.utils.html import format_html

from oscar_loyalty.reasons import describe, offer_name

register = template.Library()


@register.filter
def ltr(value):
    """``value`` escaped and isolated as left-to-right text (``<bdi dir="ltr">``)."""
    if value in (None, ""):
        return ""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


@register.filter
def loyalty_reason(value):
    """A ledger or review reason in the active language (``oscar_loyalty.reasons``)."""
    return describe(value or "")


@register.filter
def loyalty_reasons(values):
    """Several reasons (a referral's review reasons), described and joined with "; "."""
    return "; ".join(describe(value) for value in values or [])


class _NamedDiscount:
    """An order discount whose ``offer_name`` reads in the active language (``offer_name``)."""

    def __init__(self, discount):
        self._discount = discount
        self.offer_name = offer_name(discount.offer_name or "")

    def __getattr__(self, name):
        return getattr(self._discount, name)


@register.filter
def loyalty_offer_names(discounts):
    """Order discounts with the add-on's offer names in the active language."""
    return [_NamedDiscount(discount) for discount in discounts or []]
