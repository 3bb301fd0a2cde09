"""Told again: what a crash between commits (or a lost event) left out of the challenges.

The order events run each app's step on its own (in its own transaction
outside one), so a process that dies after the points step committed and
before ours leaves the challenges behind, and the core's catch-up does not
tell the event again (the points' own key is there). This job compares the
steps with what ``counted_orders()`` says now, both ways, with the same
services the order steps use: idempotent, so running it twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.apps import apps
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty.order_events import counted_orders

from . import sources
from .models import Challenge, ChallengeStep

Order = get_model("order", "Order")

#: How far back orders are looked at again (as the core's catch-up).
DAYS = 14
ORDER_KINDS = (Challenge.ORDERS, Challenge.CATEGORIES, Challenge.REFERRALS)


def _order_pks(sources_) -> set[int]:
    pks = set()
    for source in sources_:
        _, _, rest = source.partition(":")
        if rest.isdigit():
            pks.add(int(rest))
    return pks


def catch_up(*, now: datetime | None = None) -> int:
    """Undo steps of orders that stopped counting, record recent ones; returns the changes."""
    now = now or timezone.now()
    changed = 0
    live = _order_pks(
        ChallengeStep.objects.filter(undone_at__isnull=True, source__startswith="order:")
        .values_list("source", flat=True)
        .distinct()
    )
    still = set(counted_orders().filter(pk__in=live).values_list("pk", flat=True))
    for order in Order.objects.filter(pk__in=live - still):
        changed += sources.undo_order(order, now=now)
    if not Challenge.objects.filter(kind__in=ORDER_KINDS, is_active=True).exists():
        return changed
    seen = _order_pks(
        ChallengeStep.objects.filter(source__startswith="order:")
        .values_list("source", flat=True)
        .distinct()
    )
    recent = (
        counted_orders()
        .filter(date_placed__gte=now - timedelta(days=DAYS), user__loyalty_member__isnull=False)
        .exclude(pk__in=seen)
    )
    for order in recent.order_by("pk"):
        changed += len(sources.record_order(order, now=now))
    changed += _referrals(now=now)
    return changed


def _referrals(*, now: datetime) -> int:
    """Friends' first orders that qualified late (staff approved a referral held for review)."""
    if not apps.is_installed("oscar_loyalty.apps.referrals"):
        return 0
    if not Challenge.objects.filter(kind=Challenge.REFERRALS, is_active=True).exists():
        return 0
    from oscar_loyalty.apps.referrals.models import Referral

    told = ChallengeStep.objects.filter(source__startswith="referral:").values_list(
        "source", flat=True
    )
    qualified = Referral.objects.filter(
        status__in=(Referral.PENDING, Referral.REWARDED),
        first_order__isnull=False,
        qualified_at__gte=now - timedelta(days=DAYS),
    ).exclude(pk__in=_order_pks(told))
    changed = 0
    for referral in qualified.select_related("first_order"):
        if counted_orders().filter(pk=referral.first_order_id).exists():
            changed += len(sources.record_referral_of(referral.first_order, now=now))
    return changed
