"""A basket's lines, ready to be priced: their stock records and product classes read at once.

Oscar prices a line (``line.purchase_info``, from the basket's strategy) by
selecting a stock record with ``product.stockrecords.all()[0]`` and asking the
availability policy, which reads the product's class (its parent's, for a
variant): two queries per line unless they were read already. Its checkout
views price every line on every page (``check_basket_is_valid``), and so does
the basket page. ``priced_lines`` reads the same rows for the whole basket in
one query each, into the products' prefetch cache, where Oscar's own
selection finds them (``prefetch_related_objects``: products already loaded
are skipped, so calling it again costs nothing).
"""

from __future__ import annotations

from django.db.models import prefetch_related_objects


def priced_lines(basket) -> list:
    """The basket's lines, their stock records and product classes loaded (a query each)."""
    lines = list(basket.all_lines())
    # Lines Oscar priced already (its cached ``_info``, e.g. on the basket page) need nothing.
    unpriced = [line.product for line in lines if "_info" not in line.__dict__]
    prefetch_related_objects(unpriced, "stockrecords", "product_class", "parent__product_class")
    return lines


# Oscar's views that price every line of the request's basket: its checkout's
# session views (each checks the basket is valid, line by line) and the basket
# page. Not the thank-you page, which shows the order.
PRICING_VIEWS = ("basket:summary",)
PRICING_NAMESPACES = ("checkout",)
NOT_PRICING_VIEWS = ("checkout:thank-you",)


def request_prices_every_line(request) -> bool:
    """Whether the request's view is one of Oscar's that price every line of the basket."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name in NOT_PRICING_VIEWS:
        return False
    return match.view_name in PRICING_VIEWS or match.namespace in PRICING_NAMESPACES
