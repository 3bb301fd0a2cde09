"""Tier perks answered from memory: their rules and their ranges' products, per process.

Oscar checks every site offer against a shopper's basket on each request that
prices it, and for each offer it loads the condition's and the benefit's range
and asks the database, per basket line, whether the range holds the product
(``Range.contains_product``). Two perks cost a member's checkout page 12-22
queries, growing with the lines. A ``Snapshot`` holds, for the ranges the tier
perks use, the ids Oscar's own ``Range.product_queryset`` gives (or, for a
range of every product, the ids it leaves out), so the answer is a set lookup.

What is *not* kept: the offers themselves. Their rows come from Oscar's own
site-offer query, the one a stock store makes on the same request, so an offer
switched off, its dates, its priority and its usage counters are always read
live; only the ranges' products (and the perks' rules, ``perks.Rule``) come
from memory.

How long a snapshot holds:

* it is built under the price book's version token (``PriceBookVersion``),
  which a signed-in shopper's club context reads anyway; saving a range, its
  products, types or categories, a product's categories, a category or a
  perk's rule bumps it (``receivers``), so every process rebuilds on its next
  member request;
* a guest's request reads it from Oscar's site-offer query, which carries it
  as a column (``applicator.PerkRangesMixin``); where no applicator gave it, the
  request reads the token itself when no request of this process has read it
  for ``GUEST_CHECK`` seconds (one query);
* changes Oscar makes without a signal this add-on hears (a product moved to
  another product type or parent, a new product of a range's type) are seen
  after at most ``MAX_AGE`` seconds, when the snapshot is rebuilt anyway.

Ranges with a custom class (``Range.proxy_class``) are left to that class.
"""

from __future__ import annotations

import threading
import time

from oscar.core.loading import get_model

from .models import PriceBookVersion

GUEST_CHECK = 60.0
MAX_AGE = 600.0


class Membership:
    """Which product ids a range holds: ``ids``, or every product but ``ids``."""

    def __init__(self, ids, *, everything: bool):
        self.ids, self.everything = frozenset(ids), everything

    def contains_product(self, product) -> bool:
        # Oscar's test is ``product_queryset.filter(id=product.id)``: by the product's own id.
        return (product.id in self.ids) != self.everything


class Snapshot:
    def __init__(self, token: str | None, rules: dict, ranges: dict):
        self.token, self.rules, self.ranges = token, rules, ranges
        self.built_at = self.checked_at = time.monotonic()


_snapshot: Snapshot | None = None
_lock = threading.Lock()


def forget() -> None:
    """Drop this process's snapshot (something it holds changed here)."""
    global _snapshot
    with _lock:
        _snapshot = None


def price_version_column():
    """The token as a column of another query (Oscar's site offers, for a guest's request).

    Raw SQL, not a ``Subquery``: Django resolves and compiles a subquery on
    every request, which cost about 0.8 ms of a guest's place-order request,
    more than the query it saves (measured, docs/performance.md).
    """
    from django.db import connection
    from django.db.models.expressions import RawSQL

    # The model's own table name, quoted: no input reaches this SQL.
    table = connection.ops.quote_name(PriceBookVersion._meta.db_table)
    return RawSQL(f"SELECT token FROM {table} WHERE id = 1", ())  # noqa: S608, S611


def current_token() -> str | None:
    return PriceBookVersion.objects.filter(pk=1).values_list("token", flat=True).first()


def _range_membership(range_) -> Membership:
    Product = get_model("catalogue", "Product")
    if range_.includes_all_products:
        # Every product but the few the range leaves out (products added later are in it).
        left_out = Product.objects.exclude(pk__in=range_.product_queryset.values("pk"))
        return Membership(left_out.values_list("pk", flat=True), everything=True)
    return Membership(range_.product_queryset.values_list("pk", flat=True), everything=False)


def perk_ranges() -> dict[int, object]:
    """The ranges of the tier perks' conditions and benefits, each answering from memory."""
    from .perks import TIER_CONDITION_PATH

    Condition = get_model("offer", "Condition")
    Range = get_model("offer", "Range")
    ids: set[int] = set()
    rows = Condition.objects.filter(proxy_class=TIER_CONDITION_PATH).values_list(
        "range_id", "offers__benefit__range_id"
    )
    for condition_range, benefit_range in rows:
        ids |= {condition_range, benefit_range} - {None}
    ranges = {}
    for range_ in Range.objects.filter(pk__in=ids, proxy_class=None):
        # Oscar's own method, shadowed on this instance only: the snapshot's ranges are
        # never saved, and Oscar's code reads nothing else from them but names.
        range_.contains_product = _range_membership(range_).contains_product
        ranges[range_.pk] = range_
    return ranges


def _build(token: str | None) -> Snapshot:
    from .perks import load_rules

    return Snapshot(token, load_rules(), perk_ranges())


def snapshot(token: str | None = None) -> Snapshot:
    """The snapshot for a request that read ``token`` (``None``: a guest's, which checks it)."""
    global _snapshot
    kept, now = _snapshot, time.monotonic()
    if kept is not None and now - kept.built_at < MAX_AGE:
        if token is not None and token == kept.token:
            kept.checked_at = now  # a member's request just read it: guests need not
            return kept
        if token is None:
            if now - kept.checked_at < GUEST_CHECK:
                return kept
            token = current_token()
            if token == kept.token:
                kept.checked_at = now
                return kept
    if token is None:
        # Read first: a change committed while building then bumps past this token.
        token = current_token()
    built = _build(token)
    with _lock:
        _snapshot = built
    return built


def with_perk_ranges(offers, basket) -> None:
    """Give the tier perks among ``offers`` (Oscar's rows) conditions and benefits whose
    ranges answer from the snapshot; every other offer is left exactly as Oscar loaded it."""
    from oscar_loyalty.club import context_for_basket

    from .perks import TIER_CONDITION_PATH

    found = None
    for offer in offers:
        condition = offer.condition
        if condition.proxy_class != TIER_CONDITION_PATH:
            continue
        if found is None:
            context = context_for_basket(basket)
            token = getattr(context, "price_version", None) or getattr(
                offer, "loyalty_price_version", None
            )
            found = snapshot(token)
            # For the perks' rules on this basket (``perks.rule_for``), guests included.
            basket._loyalty_perk_token = token
        # Oscar's proxies return themselves from ``proxy()``, so the ranges set here stay.
        condition, benefit = condition.proxy(), offer.benefit.proxy()
        if condition.range_id in found.ranges:
            condition.range = found.ranges[condition.range_id]
        if benefit.range_id in found.ranges:
            benefit.range = found.ranges[benefit.range_id]
        offer.condition, offer.benefit = condition, benefit
