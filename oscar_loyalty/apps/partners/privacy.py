"""The partners app's part of a data export (see ``apps.privacy``).

A member's earn and burn at partner businesses are in the export. Erasure
changes nothing here: the transactions are the settlement between the club
and its partners (accounting), append-only, and name the member only by the
member row, which erasure detaches from the person.
"""

from __future__ import annotations

from oscar_loyalty.apps.privacy import registry

from .models import PartnerTransaction


def export_partners(subject) -> list | None:
    if subject.member is None:
        return None
    transactions = PartnerTransaction.objects.filter(member=subject.member).select_related(
        "partner"
    )
    return [
        {
            "partner": transaction.partner.name,
            "kind": transaction.kind,
            "points": transaction.points,
            "amount": transaction.amount,
            "reference": transaction.reference,
            "created_at": transaction.created_at,
        }
        for transaction in transactions
    ]


registry.register_section("partners", exporter=export_partners)
