"""The points app's fields of the club context (``oscar_loyalty.club``).

* ``account``: the member's points account (the basket's points box);
* ``reserved``: the live reserved points (the balance shown on the basket page);
* ``redemption``: the reservation on the shopper's open basket (the points discount);
* ``promotion``: the best running promotion's multiplier ("you will earn N points").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.db.models import IntegerField, JSONField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from oscar.core.loading import get_model

from oscar_loyalty.club import Field, Reading, context_for_basket, register

from .models import PointsPromotion, PointsRedemption


def _json_datetime(value: str) -> datetime:
    """A timestamp read back from JSON: ISO with an offset (PostgreSQL) or naive UTC (SQLite)."""
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"Not a timestamp: {value!r}")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def read_account(row, reading: Reading):
    try:
        member = row.loyalty_member
    except type(row).loyalty_member.RelatedObjectDoesNotExist:
        return None
    try:
        return member.points_account
    except type(member).points_account.RelatedObjectDoesNotExist:
        return None


def annotate_reserved(*, now: datetime, **arguments):
    # Correlated with the account the outer query joins already (select_related).
    reserved = PointsRedemption.objects.filter(
        PointsRedemption.held_q(now), account_id=OuterRef("loyalty_member__points_account__id")
    )
    return {
        "loyalty_reserved": Coalesce(
            Subquery(
                reserved.values("account")
                .annotate(total=Sum(PointsRedemption.held_points()))
                .values("total")[:1],
                output_field=IntegerField(),
            ),
            0,
        )
    }


def annotate_redemption(**arguments):
    Basket = get_model("basket", "Basket")
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
    return {"loyalty_redemption": Subquery(open_reservation, output_field=JSONField())}


def read_redemption(row, reading: Reading):
    data = row.loyalty_redemption
    if isinstance(data, str):  # a backend that hands JSON back as text
        data = json.loads(data)
    if not data:
        return None
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
    return redemption


def annotate_promotion(*, now: datetime, **arguments):
    return {
        "loyalty_promotion": Subquery(
            PointsPromotion.objects.filter(is_active=True, starts_at__lte=now)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .order_by("-multiplier")
            .values("multiplier")[:1]
        )
    }


register(
    Field("account", read=read_account, select_related=("loyalty_member__points_account",)),
    Field(
        "reserved",
        read=lambda row, reading: row.loyalty_reserved or 0,
        annotate=annotate_reserved,
        arguments={"now": datetime},
    ),
    Field("redemption", read=read_redemption, annotate=annotate_redemption),
    Field(
        "promotion",
        read=lambda row, reading: row.loyalty_promotion,
        annotate=annotate_promotion,
        arguments={"now": datetime},
    ),
)


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


def preloaded_promotion(basket) -> tuple | None:
    """``(multiplier or None, read at)`` from the basket's context, or ``None`` if not loaded."""
    context = context_for_basket(basket)
    if context is None or "promotion" not in context:
        return None
    return context.promotion, context.loaded_at
