"""Read-only numbers for the dashboard: the funnel and per-referrer stats."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from .models import Referral, ReferralVisit

#: Statuses reached only after a first order.
ORDERED = (
    Referral.PENDING,
    Referral.REVIEW,
    Referral.REWARDED,
    Referral.REVERSED,
    Referral.CAPPED,
)


@dataclass(frozen=True)
class Funnel:
    visits: int
    sign_ups: int
    first_orders: int
    rewards: int
    in_review: int
    reversed: int


def funnel(*, since=None) -> Funnel:
    """Link visits → sign-ups → first orders → rewards (since ``since``, if given)."""
    visits = ReferralVisit.objects.all()
    referrals = Referral.objects.all()
    if since is not None:
        visits = visits.filter(created_at__gte=since)
        referrals = referrals.filter(created_at__gte=since)
    counts = referrals.aggregate(
        sign_ups=Count("pk"),
        first_orders=Count("pk", filter=Q(first_order__isnull=False) | Q(status__in=ORDERED)),
        rewards=Count("pk", filter=Q(status=Referral.REWARDED)),
        in_review=Count("pk", filter=Q(status=Referral.REVIEW)),
        reversed=Count("pk", filter=Q(status=Referral.REVERSED)),
    )
    return Funnel(visits=visits.count(), **counts)


def per_referrer(limit: int = 100):
    """Referrers by rewarded referrals: sign-ups, first orders, rewards, points, reversals."""
    from oscar_loyalty.apps.membership.models import Member

    return (
        Member.objects.filter(referrals_made__isnull=False)
        .annotate(
            sign_ups=Count("referrals_made", distinct=True),
            first_orders=Count(
                "referrals_made", filter=Q(referrals_made__status__in=ORDERED), distinct=True
            ),
            rewards=Count(
                "referrals_made",
                filter=Q(referrals_made__status=Referral.REWARDED),
                distinct=True,
            ),
            reversals=Count(
                "referrals_made",
                filter=Q(referrals_made__status=Referral.REVERSED),
                distinct=True,
            ),
            points=Sum(
                "referrals_made__referrer_points",
                filter=Q(referrals_made__status=Referral.REWARDED),
            ),
        )
        .select_related("user")
        .order_by("-rewards", "-sign_ups", "pk")[:limit]
    )


@dataclass(frozen=True)
class MemberStats:
    """One member's referrals, as their account page and the member API show them."""

    visits: int
    sign_ups: int
    first_orders: int
    pending: int
    rewards: int
    points: int


def member_stats(member) -> MemberStats:
    """One referrer's funnel: their link's visits, their friends, their rewards (2 queries)."""
    counts = Referral.objects.filter(referrer=member).aggregate(
        sign_ups=Count("pk"),
        first_orders=Count("pk", filter=Q(first_order__isnull=False) | Q(status__in=ORDERED)),
        pending=Count("pk", filter=Q(status=Referral.PENDING)),
        rewards=Count("pk", filter=Q(status=Referral.REWARDED)),
        points=Sum("referrer_points", filter=Q(status=Referral.REWARDED), default=0),
    )
    visits = ReferralVisit.objects.filter(code__member=member).count()
    return MemberStats(visits=visits, **counts)
