"""The shopper's club context: what every page needs about a signed-in shopper, in one query.

Oscar builds one pricing strategy per request (the basket middleware asks the
``Selector``); the club's selector loads this context then and hangs it on
the strategy, which Oscar copies onto the request's basket. Everything else
on the page reads it from there instead of asking the database again:

* the membership (with its tier and points account) for member prices, the
  members-only and points offers, and the basket's points box;
* the live reserved points (the balance shown on the basket page);
* the reservation on the shopper's open basket (the points discount);
* the best running points promotion ("you will earn N points");
* whether the friend's-code box applies (not referred, no earlier orders);
* the price book's version token, under which member prices are cached in
  the process (``offers.pricing``).

The context lives as long as the strategy, i.e. one request. Code outside a
request (tasks, the admin, tests calling services) never sees it and reads
the database as before. Anything that changes points or money re-reads the
rows it changes under a lock; the context only serves display and offer
conditions, which Oscar re-evaluates on every request anyway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Exists, IntegerField, JSONField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from oscar.core.loading import get_model

from oscar_loyalty.prepared import PreparedQuery


@dataclass
class ClubContext:
    user_id: int
    member: object | None  # Member with tier and points_account loaded, or None
    reserved: int
    redemption: object | None  # the live-or-not RESERVED redemption of an open basket
    promotion: Decimal | None  # the best running promotion's multiplier
    referred: bool
    has_orders: bool  # orders placed while signed in (guest orders not included)
    loaded_at: datetime
    price_version: str | None = None  # PriceBookVersion.token (None: offers app not installed)

    @property
    def account(self):
        member = self.member
        if member is None:
            return None
        try:
            return member.points_account
        except member.__class__.points_account.RelatedObjectDoesNotExist:
            return None


def _promotion_subquery(now: datetime):
    from oscar_loyalty.apps.points.models import PointsPromotion

    return Subquery(
        PointsPromotion.objects.filter(is_active=True, starts_at__lte=now)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .order_by("-multiplier")
        .values("multiplier")[:1]
    )


def _json_datetime(value: str) -> datetime:
    """A timestamp read back from JSON: ISO with an offset (PostgreSQL) or naive UTC (SQLite)."""
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"Not a timestamp: {value!r}")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def _context_queryset(user_pk: int, now: datetime, email_hash: str | None = None):
    """The context's one query; its shape never depends on the arguments (``PreparedQuery``)."""
    from oscar_loyalty.apps.points.models import PointsRedemption
    from oscar_loyalty.apps.referrals.models import Referral

    Basket = get_model("basket", "Basket")
    Order = get_model("order", "Order")
    # The newest reservation on an open basket of the user, as one JSON value:
    # one subquery instead of one per column (PostgreSQL plans each of them on
    # every request; planning was most of the query's time).
    open_reservation = (
        PointsRedemption.objects.filter(
            status=PointsRedemption.RESERVED,
            basket__owner_id=OuterRef("pk"),
            basket__status=Basket.OPEN,
        )
        .order_by("-pk")
        .values(
            data=JSONObject(
                id="pk",
                basket="basket_id",
                account="account_id",
                points="points",
                expires="expires_at",
            )
        )[:1]
    )
    # Correlated with the account the outer query joins already (select_related).
    reserved = PointsRedemption.objects.filter(
        PointsRedemption.held_q(now), account_id=OuterRef("loyalty_member__points_account__id")
    )
    extra = {}
    if email_hash is not None:
        from oscar_loyalty.apps.consent.models import Suppression

        # Whether the shopper's own address takes no mail at all (consent.known).
        extra["loyalty_email_blocked"] = Exists(
            Suppression.objects.filter(email_hash=email_hash, scope=Suppression.ALL)
        )
    if apps.is_installed("oscar_loyalty.apps.offers"):
        from oscar_loyalty.apps.offers.models import PriceBookVersion

        extra["loyalty_price_version"] = Subquery(
            PriceBookVersion.objects.filter(pk=1).values("token")[:1]
        )
    return (
        get_user_model()
        .objects.filter(pk=user_pk)
        .select_related("loyalty_member__tier", "loyalty_member__points_account")
        .annotate(
            loyalty_reserved=Coalesce(
                Subquery(
                    reserved.values("account")
                    .annotate(total=Sum(PointsRedemption.held_points()))
                    .values("total")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            loyalty_redemption=Subquery(open_reservation, output_field=JSONField()),
            loyalty_promotion=_promotion_subquery(now),
            loyalty_referred=Exists(Referral.objects.filter(referee_id=OuterRef("pk"))),
            # Own orders only (an indexed lookup); guest orders under the same
            # address need a scan, so the referral box asks for them itself, and
            # only for a shopper with no orders of their own.
            loyalty_has_orders=Exists(Order.objects.filter(user_id=OuterRef("pk"))),
            **extra,
        )[:1]
    )


@cache
def _context_query() -> PreparedQuery:
    """Built and compiled once per process; each request only binds its arguments."""
    arguments = {"user_pk": int, "now": datetime}
    if apps.is_installed("oscar_loyalty.apps.consent"):
        arguments["email_hash"] = str
    return PreparedQuery(_context_queryset, **arguments)


def load_context(
    user, *, now: datetime | None = None, for_request: bool = False
) -> ClubContext | None:
    """The club context of a signed-in ``user`` (``None`` for anonymous shoppers): one query.

    ``for_request``: the context serves the current request, so what it read
    about the shopper's own address may spare the mail guard a query
    (``consent.known``).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from oscar_loyalty.apps.points.models import PointsRedemption

    now = now or timezone.now()
    query = _context_query()
    values = {"user_pk": user.pk, "now": now}
    hashed = None
    if "email_hash" in query.arguments:
        from oscar_loyalty.apps.consent.hashing import email_hash

        # An empty hash matches no suppression: a user without an address.
        hashed = email_hash(user.email) if getattr(user, "email", "") else ""
        values["email_hash"] = hashed
    row = query.first(**values)
    if row is None:
        return None
    if for_request and hashed and getattr(row, "email", None) == user.email:
        from oscar_loyalty.apps.consent import known

        known.remember(hashed, row.loyalty_email_blocked)
    try:
        member = row.loyalty_member
    except get_user_model().loyalty_member.RelatedObjectDoesNotExist:
        member = None
    redemption = None
    data = row.loyalty_redemption
    if isinstance(data, str):  # a backend that hands JSON back as text
        data = json.loads(data)
    if data:
        redemption = PointsRedemption(
            pk=data["id"],
            basket_id=data["basket"],
            account_id=data["account"],
            points=data["points"],
            status=PointsRedemption.RESERVED,
            expires_at=_json_datetime(data["expires"]),
        )
        redemption._state.adding = False
        redemption._state.db = row._state.db
    if member is not None:
        # The promotion is valid for this request's "now" only (see policies.base_rate).
        member._loyalty_promotion = (row.loyalty_promotion, now)
    return ClubContext(
        user_id=row.pk,
        member=member,
        reserved=row.loyalty_reserved or 0,
        redemption=redemption,
        promotion=row.loyalty_promotion,
        referred=row.loyalty_referred,
        has_orders=row.loyalty_has_orders,
        loaded_at=now,
        price_version=getattr(row, "loyalty_price_version", None),
    )


def context_for_request(request) -> ClubContext | None:
    """The context the request's strategy loaded (``None``: none loaded, or anonymous)."""
    strategy = getattr(request, "strategy", None)
    context = getattr(strategy, "loyalty_context", None)
    user = getattr(request, "user", None)
    if context is not None and getattr(user, "pk", None) == context.user_id:
        return context
    return None


def context_for_basket(basket) -> ClubContext | None:
    """The context of the basket's owner, when the basket carries one (a request's basket)."""
    strategy = getattr(basket, "strategy", None)
    context = getattr(strategy, "loyalty_context", None)
    if context is not None and basket.owner_id and basket.owner_id == context.user_id:
        return context
    return None


UNKNOWN = object()


def redemption_from_context(basket):
    """The basket's redemption as far as the context knows it, or ``UNKNOWN``.

    The context holds the newest reservation on any open basket of the owner.
    If that is this basket's, it is the answer; if the owner has none at all
    and this basket is open, there is none; otherwise the caller must ask.
    """
    context = context_for_basket(basket)
    if context is None or not getattr(basket, "id", None):
        return UNKNOWN
    Basket = get_model("basket", "Basket")
    redemption = context.redemption
    if redemption is not None and redemption.basket_id == basket.id:
        return redemption
    if redemption is None and basket.status == Basket.OPEN:
        return None
    return UNKNOWN
