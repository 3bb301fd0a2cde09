"""The sandbox's own field of the club context: how many products the shopper has wished for.

An example of a store extending the context (docs/extending.md): the field
rides on the context's one query, and ``demo/basket_wish_list_note.html``
(a fragment in the "basket" slot) shows it.
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from oscar.core.loading import get_model

from oscar_loyalty.club import Field, register


def annotate_wished(**arguments):
    Line = get_model("wishlists", "Line")
    lines = (
        Line.objects.filter(wishlist__owner_id=OuterRef("pk"))
        .values("wishlist__owner_id")
        .annotate(total=Count("pk"))
        .values("total")[:1]
    )
    return {"demo_wished": Coalesce(Subquery(lines, output_field=IntegerField()), 0)}


register(Field("wished", read=lambda row, reading: row.demo_wished, annotate=annotate_wished))
