"""The offers app's field of the club context (``oscar_loyalty.club``): ``price_version``.

The price book's version token, under which member prices are cached in the
process (``offers.pricing``).
"""

from __future__ import annotations

from django.db.models import Subquery

from oscar_loyalty.club import Field, register

from .models import PriceBookVersion


def annotate_price_version(**arguments):
    return {
        "loyalty_price_version": Subquery(
            PriceBookVersion.objects.filter(pk=1).values("token")[:1]
        )
    }


register(
    Field(
        "price_version",
        read=lambda row, reading: row.loyalty_price_version,
        annotate=annotate_price_version,
    )
)
