"""Who owns a basket, as a club member: read once per basket object.

The members-only offer condition, the points offer and the basket's points
box all ask it, several times per request; the request's club context
answers without a query, and outside a request the first answer is kept on
the basket object for the others.
"""

from __future__ import annotations

from oscar_loyalty.club import context_for_basket

from .models import Member


def basket_member(basket) -> Member | None:
    """The basket owner's membership (with its tier), or ``None`` for guests and non-members."""
    if not basket.owner_id:
        return None
    context = context_for_basket(basket)
    if context is not None:
        return context.member
    if not hasattr(basket, "_loyalty_member"):
        basket._loyalty_member = (
            Member.objects.select_related("tier").filter(user_id=basket.owner_id).first()
        )
    return basket._loyalty_member


def lock_editable_basket(basket) -> bool:
    """Lock the basket's row and say whether its status, read now, still lets it change.

    Points and rewards both hold value on a basket: each locks the row first
    (the order the checkout takes its locks in) and refuses a basket another
    request has meanwhile submitted or frozen, with its own error.
    """
    from oscar.core.loading import get_model

    Basket = get_model("basket", "Basket")
    status = (
        Basket._default_manager.select_for_update(no_key=True)
        .filter(pk=basket.pk)
        .values_list("status", flat=True)
        .first()
    )
    return status in Basket.editable_statuses
