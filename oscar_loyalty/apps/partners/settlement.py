"""Settlement between the club and one partner over a period (store-local dates).

The partner pays the club for the points its customers earned (each earn's
value: points x the partner's price per point issued at the time); the club
pays the partner the money off it gave for points burned at its tills. A
reversal counts in the period it happens in, against its source's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from oscar_loyalty import csvfiles
from oscar_loyalty.money import CENT, ZERO

from .models import Partner, PartnerTransaction


@dataclass
class Settlement:
    partner: Partner
    start: date
    end: date
    points_issued: int = 0
    points_issued_reversed: int = 0
    points_redeemed: int = 0
    points_redeemed_reversed: int = 0
    purchases: Decimal = ZERO
    partner_owes: Decimal = ZERO
    club_owes: Decimal = ZERO
    transactions: int = 0
    rows: list = field(default_factory=list, repr=False)

    @property
    def net_points_issued(self) -> int:
        return self.points_issued - self.points_issued_reversed

    @property
    def net_points_redeemed(self) -> int:
        return self.points_redeemed - self.points_redeemed_reversed

    @property
    def net(self) -> Decimal:
        """Positive: the partner pays the club; negative: the club pays the partner."""
        return self.partner_owes - self.club_owes

    @property
    def net_abs(self) -> Decimal:
        return abs(self.net)


def _cents(value) -> Decimal:
    # SQLite returns sums of decimals without their places.
    return Decimal(value).quantize(CENT)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    begin = timezone.make_aware(datetime.combine(start, time.min))
    finish = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return begin, finish


def transactions_in(partner: Partner, start: date, end: date):
    begin, finish = _bounds(start, end)
    return (
        PartnerTransaction.objects.filter(
            partner=partner, created_at__gte=begin, created_at__lt=finish
        )
        .select_related("member", "reverses")
        .order_by("created_at", "pk")
    )


def settle(partner: Partner, start: date, end: date) -> Settlement:
    """The figures for ``partner`` from ``start`` to ``end`` inclusive, in one query."""
    T = PartnerTransaction
    earn = Q(kind=T.EARN)
    burn = Q(kind=T.BURN)
    earn_rev = Q(kind=T.REVERSAL, reverses__kind=T.EARN)
    burn_rev = Q(kind=T.REVERSAL, reverses__kind=T.BURN)
    totals = transactions_in(partner, start, end).aggregate(
        count=Count("pk"),
        issued=Sum("points", filter=earn),
        issued_rev=Sum("points", filter=earn_rev),
        redeemed=Sum("points", filter=burn),
        redeemed_rev=Sum("points", filter=burn_rev),
        purchases=Sum("amount", filter=earn),
        purchases_rev=Sum("amount", filter=earn_rev),
        earn_value=Sum("value", filter=earn | earn_rev),
        burn_value=Sum("value", filter=burn | burn_rev),
    )
    return Settlement(
        partner=partner,
        start=start,
        end=end,
        transactions=totals["count"],
        points_issued=totals["issued"] or 0,
        points_issued_reversed=totals["issued_rev"] or 0,
        points_redeemed=totals["redeemed"] or 0,
        points_redeemed_reversed=totals["redeemed_rev"] or 0,
        purchases=_cents((totals["purchases"] or ZERO) - (totals["purchases_rev"] or ZERO)),
        partner_owes=_cents(totals["earn_value"] or ZERO),
        club_owes=_cents(totals["burn_value"] or ZERO),
    )


CSV_COLUMNS = [
    "date",
    "transaction",
    "kind",
    "reverses",
    "member",
    "reference",
    "points",
    "amount",
    "settlement_value",
]


def write_csv(out, settlement: Settlement) -> None:
    """Every transaction of the period, then the totals (one ``total`` row each)."""
    writer = csvfiles.writer(out)
    writer.writerow(CSV_COLUMNS)
    for txn in transactions_in(settlement.partner, settlement.start, settlement.end).iterator(
        chunk_size=2000
    ):
        writer.writerow(
            [
                timezone.localtime(txn.created_at).isoformat(),
                txn.public_id,
                txn.kind,
                txn.reverses.public_id if txn.reverses_id else "",
                txn.member.number,
                txn.reference,
                txn.points,
                txn.amount,
                txn.value,
            ]
        )
    writer.writerow([])
    for label, value in [
        ("partner", settlement.partner.name),
        ("period", f"{settlement.start.isoformat()}..{settlement.end.isoformat()}"),
        ("points_issued", settlement.points_issued),
        ("points_issued_reversed", settlement.points_issued_reversed),
        ("points_redeemed", settlement.points_redeemed),
        ("points_redeemed_reversed", settlement.points_redeemed_reversed),
        ("partner_owes_club", settlement.partner_owes),
        ("club_owes_partner", settlement.club_owes),
        ("net_partner_pays", settlement.net),
    ]:
        writer.writerow(["total", label, value])
