"""Products only some tiers may buy ("Gold only"), answered by Oscar's availability.

A ``TierOnlyRange`` restricts an Oscar ``Range`` to one or more tiers,
optionally until ``everyone_from`` (early access: from then on every shopper
may buy). Nothing else in the checkout knows about it: the pricing
strategy's ``TierOnlyMixin`` answers ``availability`` for a shopper whose tier
is not admitted with ``is_purchase_permitted`` False and "Only for Gold
members", so Oscar's own add-to-basket form refuses the product, the
basket shows its line warning and the checkout's ``check_basket_is_valid``
(run again by the request that places the order) sends the shopper back
to the basket. Guests and members without benefits are not admitted: the
range is a perk of the tier.

**Cost.** Every product page, list and basket line asks, so the restricted
product ids are read once per process (one query for the rules, none more
when there are none; Oscar's range query for each restricted range) and
kept for ``PRODUCTS_TTL`` seconds, like the rewards app's
``reward_products``. A save of a rule or of a range's contents (Oscar's
range dashboard: products added or removed, classes, categories) clears the
saving process's copy at once; other processes follow within the TTL.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.availability import Unavailable

from oscar_loyalty.apps.membership.models import Member, Tier

# The saving process forgets its copy at once (``forget_tier_only_products``);
# other processes within this many seconds.
PRODUCTS_TTL = 60.0


class TierOnlyRange(models.Model):
    """An Oscar range only the ``tiers``' members may buy, until ``everyone_from`` if set."""

    range = models.OneToOneField(
        "offer.Range",
        on_delete=models.CASCADE,
        related_name="loyalty_tier_only",
        verbose_name=_("range"),
    )
    tiers = models.ManyToManyField(
        "loyalty_membership.Tier", related_name="+", verbose_name=_("tiers")
    )
    everyone_from = models.DateTimeField(
        _("open to every shopper from"),
        null=True,
        blank=True,
        help_text=_("Early access: before this, only the tiers. Empty: only the tiers, always."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "loyalty_offers"
        verbose_name = _("tier-only range")
        verbose_name_plural = _("tier-only ranges")

    def __str__(self) -> str:
        return f"Tier-only range {self.range_id}"


@dataclass(frozen=True)
class Restriction:
    """One tier-only range, as the process keeps it."""

    range_id: int
    tiers: tuple[Tier, ...]  # for the message, in the shopper's language
    everyone_from: datetime | None

    @property
    def tier_ids(self) -> frozenset[int]:
        return frozenset(tier.pk for tier in self.tiers)

    def is_open(self, now: datetime) -> bool:
        return self.everyone_from is not None and now >= self.everyone_from

    def admits(self, member: Member | None, *, now: datetime) -> bool:
        if self.is_open(now):
            return True
        return member is not None and member.tier_id in self.tier_ids and member.has_benefits(now)

    def tier_names(self) -> str:
        return ", ".join(tier.display_name for tier in self.tiers)


# ({product id: its restrictions}, read at (monotonic)); replaced whole.
_products: tuple[dict[int, tuple[Restriction, ...]], float] | None = None
_lock = threading.Lock()


def forget_tier_only_products(**kwargs) -> None:
    """Drop this process's copy (a rule or a range's contents changed)."""
    global _products
    with _lock:
        _products = None


def remember_no_tier_only_products() -> None:
    """Keep "no product is tier-only" as fresh (a process that knows it: a test's empty store)."""
    global _products
    with _lock:
        _products = ({}, time.monotonic())


def _load() -> dict[int, tuple[Restriction, ...]]:
    rows = list(TierOnlyRange.objects.values_list("range_id", "everyone_from", "tiers__id"))
    if not rows:
        return {}  # the store restricts nothing: one query a TTL, no more
    from oscar.core.loading import get_model

    Range = get_model("offer", "Range")
    starts: dict[int, datetime | None] = {}
    tier_ids: dict[int, set[int]] = {}
    for range_id, everyone_from, tier_id in rows:
        starts[range_id] = everyone_from
        ids = tier_ids.setdefault(range_id, set())
        if tier_id is not None:
            ids.add(tier_id)
    tiers = {tier.pk: tier for tier in Tier.objects.filter(pk__in=set().union(*tier_ids.values()))}
    found: dict[int, list[Restriction]] = {}
    for range_ in Range.objects.filter(pk__in=starts):
        restriction = Restriction(
            range_.pk,
            tuple(tiers[pk] for pk in sorted(tier_ids[range_.pk]) if pk in tiers),
            starts[range_.pk],
        )
        for product_id in range_.all_products().values_list("pk", flat=True):
            found.setdefault(product_id, []).append(restriction)
    return {pk: tuple(restrictions) for pk, restrictions in found.items()}


def tier_only_products() -> dict[int, tuple[Restriction, ...]]:
    """Every restricted product id and its restrictions: read once per ``PRODUCTS_TTL``."""
    global _products
    kept = _products
    if kept is not None and time.monotonic() - kept[1] <= PRODUCTS_TTL:
        return kept[0]
    found = _load()
    with _lock:
        _products = (found, time.monotonic())
    return found


def restrictions_for(product) -> tuple[Restriction, ...]:
    """The restrictions on ``product`` (a child is restricted with its parent). No query."""
    products = tier_only_products()
    if not products:
        return ()
    found = products.get(product.pk, ())
    if product.parent_id is not None:
        found += products.get(product.parent_id, ())
    return found


def refusal(product, member: Member | None, *, now: datetime | None = None) -> str | None:
    """Why ``member`` (``None``: a guest) may not buy ``product`` now, or ``None`` if they may.

    A product in two tier-only ranges needs both to admit the shopper.
    """
    restrictions = restrictions_for(product)
    if not restrictions:
        return None
    now = now or timezone.now()
    for restriction in restrictions:
        if not restriction.admits(member, now=now):
            return gettext("Only for %(tiers)s members") % {"tiers": restriction.tier_names()}
    return None


@dataclass(frozen=True)
class Notice:
    """What the product page says about a tier-only product."""

    tiers: str
    yours: bool  # the shopper may buy it (their tier, or open to everyone)
    everyone_from: datetime | None  # still ahead: when everyone may buy


def notice_for(product, member: Member | None, *, now: datetime | None = None) -> Notice | None:
    """The product page's notice ("Gold members only"), or ``None`` for a product open to all."""
    now = now or timezone.now()
    restrictions = [r for r in restrictions_for(product) if not r.is_open(now)]
    if not restrictions:
        return None
    starts = [r.everyone_from for r in restrictions]
    return Notice(
        tiers=", ".join(r.tier_names() for r in restrictions),
        yours=all(r.admits(member, now=now) for r in restrictions),
        everyone_from=None if None in starts else max(starts),
    )


class TierOnlyAvailability(Unavailable):
    """Oscar's "unavailable", with the reason: "Only for Gold members"."""

    code = "tier-only"

    def __init__(self, message: str):
        self.message = message

    def is_purchase_permitted(self, quantity):
        return False, self.message


class TierOnlyMixin:
    """Strategy mixin: a tier-only product is unavailable to shoppers outside its tiers.

    ``loyalty_member`` is the shopper's member (with or without benefits) or
    ``None``; the ``Selector`` sets it from the request's club context.
    """

    loyalty_member: Member | None = None

    def availability_policy(self, product, stockrecord):
        why = refusal(product, self.loyalty_member)
        if why is not None:
            return TierOnlyAvailability(why)
        return super().availability_policy(product, stockrecord)

    def parent_availability_policy(self, product, children_stock):
        # The children are asked through ``availability_policy`` above.
        why = refusal(product, self.loyalty_member)
        if why is not None:
            return TierOnlyAvailability(why)
        return super().parent_availability_policy(product, children_stock)
