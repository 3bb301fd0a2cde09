"""What counts as a step, read from the club's own events: orders, referrals, reviews.

No order logic of its own: an order counts when ``counted_orders()`` says so
(the one answer for tiers, segments, draws and reports), the friend's first
order counts as the referrals app qualified it, and a review when Oscar's
reviews app approved it.
"""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.utils import timezone

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.order_events import counted_orders

from . import services
from .models import Challenge
from .services import Step


def member_of(user_id: int | None) -> Member | None:
    if user_id is None:
        return None
    return Member.objects.filter(user_id=user_id).first()


def order_source(order) -> str:
    return f"order:{order.pk}"


def _categories(line) -> set[int]:
    product = line.product
    if product is None:
        return set()
    if product.is_child and product.parent_id:
        product = product.parent
    return set(product.categories.values_list("pk", flat=True))


def category_key(order, category_id: int) -> str:
    return f"order:{order.pk}:category:{category_id}"


def record_order(order, *, now: datetime | None = None) -> list:
    """An order placed (on the web or at the till): one orders step, one step per category."""
    if not counted_orders().filter(pk=order.pk).exists():
        return []
    # The friend who placed it may not be a member; the referrer is.
    made = record_referral_of(order, now=now)
    member = member_of(order.user_id)
    if member is None:
        return made
    at = order.date_placed or timezone.now()
    source = order_source(order)
    made += services.record(
        member,
        kind=Challenge.ORDERS,
        steps=[Step(key=source, value=str(order.pk), source=source, occurred_at=at)],
        now=now,
    )
    categories = set()
    for line in order.lines.select_related("product", "product__parent"):
        categories |= _categories(line)
    made += services.record(
        member,
        kind=Challenge.CATEGORIES,
        steps=[
            Step(key=category_key(order, pk), value=str(pk), source=source, occurred_at=at)
            for pk in sorted(categories)
        ],
        now=now,
    )
    return made


def undo_order(order, *, now: datetime | None = None) -> int:
    """The order stopped counting (cancelled, refunded in full): its steps, and the friend's."""
    undone = services.undo(source=order_source(order), now=now)
    referral = _referral_of(order)
    if referral is not None:
        undone += services.undo(source=f"referral:{referral.pk}", now=now)
    return undone


def undo_lines(order, *, now: datetime | None = None) -> int:
    """Lines cancelled or refunded: a category no line still bought stops counting."""
    if not counted_orders().filter(pk=order.pk).exists():
        return undo_order(order, now=now)
    still = set()
    gone = set()
    for line in order.lines.select_related("product", "product__parent"):
        refunded = sum(
            q.quantity for q in line.payment_event_quantities.all() if _is_refund(q.event)
        )
        cancelled = line.status in _cancelled_statuses()
        if cancelled or refunded >= line.quantity:
            gone |= _categories(line)
        else:
            still |= _categories(line)
    keys = [category_key(order, pk) for pk in gone - still]
    if not keys:
        return 0
    return services.undo(source=order_source(order), keys=keys, now=now)


def _is_refund(payment_event) -> bool:
    from oscar_loyalty.order_events.events import is_refund

    return is_refund(payment_event)


def _cancelled_statuses():
    from oscar_loyalty import app_settings

    return app_settings.CANCELLED_ORDER_STATUSES


# Referrals -------------------------------------------------------------------


def _referral_of(order):
    if not apps.is_installed("oscar_loyalty.apps.referrals"):
        return None
    from oscar_loyalty.apps.referrals.models import Referral

    return Referral.objects.filter(first_order=order).select_related("referrer").first()


def record_referral_of(order, *, now: datetime | None = None) -> list:
    """The friend's first order qualified the referral: a step for the referrer."""
    referral = _referral_of(order)
    if referral is None:
        return []
    from oscar_loyalty.apps.referrals.models import Referral

    if referral.status not in (Referral.PENDING, Referral.REWARDED):
        return []
    source = f"referral:{referral.pk}"
    return services.record(
        referral.referrer,
        kind=Challenge.REFERRALS,
        steps=[
            Step(
                key=source,
                value=str(referral.pk),
                source=source,
                occurred_at=referral.qualified_at or order.date_placed or timezone.now(),
            )
        ],
        now=now,
    )


# Reviews ---------------------------------------------------------------------


def review_source(review) -> str:
    return f"review:{review.pk}"


def review_changed(review, *, now: datetime | None = None) -> list:
    """Approved: a step (again, if it was taken back); anything else: the step undone."""
    if review.status != review.APPROVED:
        services.undo(source=review_source(review), now=now)
        return []
    member = member_of(review.user_id)
    if member is None:
        return []
    source = review_source(review)
    return services.record(
        member,
        kind=Challenge.REVIEWS,
        steps=[
            Step(
                key=source,
                value=str(review.product_id),
                source=source,
                occurred_at=timezone.now() if now is None else now,
            )
        ],
        revive=True,
        now=now,
    )
