"""A basket's lines, ready to be priced: their stock records and product classes read at once.

Oscar prices a line (``line.purchase_info``, from the basket's strategy) by
selecting a stock record with ``product.stockrecords.all()[0]`` and asking the
availability policy, which reads the product's class (its parent's, for a
variant): two queries per line unless they were read already. Its checkout
views price every line on every page (``check_basket_is_valid``), and so does
the basket page. ``priced_lines`` reads the same rows for the whole basket in
one query (the stock records, joined with their products' classes and their
parents' classes) and keeps them where Oscar's own selection finds them: the
products' prefetch cache, as Django's ``prefetch_related("stockrecords")``
keeps it, and each product's cached class and parent. Products read already
are skipped, so calling it again costs nothing.
"""

from __future__ import annotations

from oscar.core.loading import get_model


def priced_lines(basket) -> list:
    """The basket's lines, their stock records and product classes loaded (one query)."""
    lines = list(basket.all_lines())
    products: dict[int, list] = {}
    for line in lines:
        product = line.product
        # Lines Oscar priced already (its cached ``_info``, e.g. on the basket page)
        # and products read already need nothing.
        if "_info" in line.__dict__ or "stockrecords" in getattr(
            product, "_prefetched_objects_cache", {}
        ):
            continue
        products.setdefault(product.pk, []).append(product)
    if products:
        _read_stock_records(products)
    return lines


def _read_stock_records(products: dict[int, list]) -> None:
    # One query, not Django's prefetch_related_objects: that is a query per
    # lookup (stock records, classes, parents' classes) and most of a one-line
    # basket's pricing CPU (docs/performance.md, "The lines' rows in one query").
    StockRecord = get_model("partner", "StockRecord")
    found: dict[int, list] = {}
    records = StockRecord.objects.filter(product_id__in=products).select_related(
        "product__product_class", "product__parent__product_class"
    )
    for record in records:
        found.setdefault(record.product_id, []).append(record)
    product_field = StockRecord._meta.get_field("product")
    for pk, instances in products.items():
        kept = found.get(pk, [])
        for product in instances:
            queryset = product.stockrecords.get_queryset()
            queryset._result_cache, queryset._prefetch_done = list(kept), True
            if not hasattr(product, "_prefetched_objects_cache"):
                product._prefetched_objects_cache = {}
            product._prefetched_objects_cache["stockrecords"] = queryset
            if not kept:
                continue  # no stock record: Oscar reads the class itself (unavailable anyway)
            loaded = kept[0].product
            product_class = type(product)._meta.get_field("product_class")
            parent = type(product)._meta.get_field("parent")
            if not product_class.is_cached(product):
                product_class.set_cached_value(product, loaded.product_class)
            if product.parent_id and not parent.is_cached(product):
                parent.set_cached_value(product, loaded.parent)
            for record in kept:
                product_field.set_cached_value(record, product)


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
