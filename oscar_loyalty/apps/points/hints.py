"""Hints of the points a product earns ("Earn N points"), from the checkout's earning policy.

The number is the policy's own (``EarningPolicy.quote_price``) on the price
already on the page, so the hint and the points the order earns follow one
rule. One ``Hints`` object per request answers every product of the page:

* a member with benefits: their tier and the running promotion come from the
  request's club context (no query);
* a guest or a shopper who is not a member: "members earn N", at the tier a
  member joining today starts in (``membership.tiers.tier_for_spend`` of no
  spend, the rule ``join_club`` applies) and the running promotion, read in
  one query and then kept by the process for ``JOINING_TTL`` seconds, so a
  guest's pages cost no query of their own (issue #18: at most one extra
  query a page, which a signed-in shopper's club context already uses).

Only the product's price is used, not the basket's discounts: the basket
page then says what the order will really earn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from oscar_loyalty.apps.membership.models import Member, Tier
from oscar_loyalty.apps.membership.tiers import tier_for_spend
from oscar_loyalty.club import context_for_request

from .club_context import annotate_promotion
from .models import PointsPromotion
from .policies import EarningPolicy, get_policy

# Where the request keeps its hints (one object per page).
REQUEST_ATTRIBUTE = "_loyalty_earn_hints"
# How long a process keeps the joining tier and promotion. The hint is advisory
# (the order's points are computed afresh at checkout), and saving a tier or a
# promotion clears the saving process's copy at once (``forget_joining_member``);
# other processes follow within this many seconds.
JOINING_TTL = 60.0
# (member joining today, (promotion, read at)); one per process, replaced whole.
_joining: tuple[Member, tuple] | None = None


@dataclass(frozen=True)
class EarnHint:
    points: int
    for_member: bool  # False: "members earn N" (the shopper is not a member)


class Hints:
    def __init__(self, policy: EarningPolicy, member: Member, *, for_member: bool, now: datetime):
        self.policy, self.member, self.for_member, self.now = policy, member, for_member, now

    def for_price(self, product, price) -> EarnHint | None:
        if price is None or not getattr(price, "exists", False) or product.is_parent:
            return None
        points = self.policy.quote_price(product, price, self.member, now=self.now)
        return EarnHint(points, self.for_member) if points > 0 else None


def _joining_member(*, now: datetime) -> tuple[Member, tuple]:
    """A member joining today (unsaved) and ``(promotion, now)``: one query."""
    tiers = list(
        Tier.objects.filter(is_active=True)
        .annotate(**annotate_promotion(now=now))
        .order_by("qualifying_spend", "pk")
    )
    if tiers:
        promotion = tiers[0].loyalty_promotion
    else:  # no tiers at all: the promotion on its own
        promotion = (
            PointsPromotion.objects.filter(is_active=True, starts_at__lte=now)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .order_by("-multiplier")
            .values_list("multiplier", flat=True)
            .first()
        )
    member = Member(tier=tier_for_spend(Decimal(0), tiers))
    return member, (promotion, now)


def joining_member(*, now: datetime) -> tuple[Member, tuple]:
    """``_joining_member``, kept for ``JOINING_TTL`` seconds (read only: shared by requests)."""
    global _joining
    cached = _joining
    if cached is not None:
        age = (now - cached[1][1]).total_seconds()
        if 0 <= age < JOINING_TTL:
            return cached
    cached = _joining = _joining_member(now=now)
    return cached


def forget_joining_member(**kwargs) -> None:
    """Staff saved or deleted a tier or a promotion: read them again on the next page."""
    global _joining
    _joining = None


def hints_for(request) -> Hints:
    """The request's hints, made on first use."""
    hints = getattr(request, REQUEST_ATTRIBUTE, None)
    if hints is not None:
        return hints
    now = timezone.now()
    policy = get_policy()
    strategy = getattr(request, "strategy", None)
    member = getattr(strategy, "member", None)
    context = context_for_request(request)
    if member is not None and member.has_benefits(now):
        for_member = True
        if context is not None and "promotion" in context:
            now = context.loaded_at
            # Read by the club context's query at the same moment (policies.best_promotion).
            policy._preloaded_promotion = (context.promotion, now)
    else:
        for_member = False
        member, policy._preloaded_promotion = joining_member(now=now)
        # The moment the promotion was read: the policy uses it only for that moment.
        now = policy._preloaded_promotion[1]
    hints = Hints(policy, member, for_member=for_member, now=now)
    setattr(request, REQUEST_ATTRIBUTE, hints)
    return hints


def earn_hint(request, product, price) -> EarnHint | None:
    """What to say under ``product``'s ``price``, or ``None`` (nothing to earn)."""
    if request is None:
        return None
    return hints_for(request).for_price(product, price)
