"""Checkout overhead: Oscar's real checkout views, stock Oscar against the add-on, in alternation.

    python -m benchmarks.checkout            # full run (SQLite, or DATABASE_URL)
    python -m benchmarks.checkout --smoke    # CI: few iterations, query targets enforced

One process, one database, the same customer and products for both
configurations; each iteration runs the whole checkout once as "stock" and
once as "add-on" (which goes first alternates). What "stock" switches off is
in ``stock_oscar()`` and docs/performance.md.
"""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal as D

from benchmarks._common import (
    Targets,
    count_queries,
    median,
    parser,
    print_table,
    setup_django,
    timed,
    write_results,
)
from benchmarks._stock import stock_oscar

SIZES = (1, 5, 20)
LIST_SIZES = (5, 20)
# The target: extra queries of the place-order request, any basket size.
PLACE_ORDER_EXTRA = 6
# What it costs today (docs/performance.md): CI fails if it grows.
PLACE_ORDER_BUDGET = 5
# The product list measured with each basket size.
LIST_FOR = {1: 5, 5: 5, 20: 20}
PREFIX = "Bench checkout"


@contextmanager
def addon():
    yield


# Data ------------------------------------------------------------------------


def build_shop(n_products: int):
    from django.utils.crypto import get_random_string
    from django.utils.text import slugify
    from oscar.core.loading import get_model
    from oscar.test.factories import RangeFactory, UserFactory, create_product

    from oscar_loyalty.apps.membership.models import Member, Plan, Tier
    from oscar_loyalty.apps.offers.models import MemberPrice
    from oscar_loyalty.apps.points import services
    from tests.checkout import ensure_country

    Product = get_model("catalogue", "Product")
    ensure_country()
    products = list(Product.objects.filter(title__startswith=PREFIX).order_by("pk"))
    for i in range(len(products), n_products):
        products.append(
            create_product(title=f"{PREFIX} {i}", price=D("10.00"), num_in_stock=10**6)
        )
    for product in products:
        product.stockrecords.update(num_in_stock=10**6, num_allocated=0)
        MemberPrice.objects.get_or_create(
            stockrecord=product.stockrecords.get(), defaults={"price": D("9.00")}
        )
    ranges = {}
    for size in LIST_SIZES:
        name = f"{PREFIX} {size} {get_random_string(6)}"
        ranges[size] = RangeFactory(
            name=name,
            slug=slugify(name),
            is_public=True,
            products=products[:size],
        )
    tier, _ = Tier.objects.get_or_create(
        code="bench-gold",
        defaults={"name": "Bench gold", "qualifying_spend": D("0"), "discount_percent": D("5")},
    )
    plan, _ = Plan.objects.get_or_create(
        slug="bench-club", defaults={"name": "Bench club", "price": D("0.00")}
    )
    suffix = get_random_string(8).lower()
    user = UserFactory(email=f"bench-{suffix}@example.com", username=f"bench-{suffix}")
    member = Member.objects.create(
        user=user, plan=plan, tier=tier, number=f"B{suffix}"[:10].upper()
    )
    services.adjust_points(member, 10**8, reason="Benchmark", staff_user=None)
    return products, ranges, user


# One checkout ----------------------------------------------------------------


def run_checkout(client, products, product_range, *, spend_points: bool) -> dict:
    from django.urls import reverse
    from oscar.core.loading import get_model

    from tests.checkout import ADDRESS, add_to_basket

    Order = get_model("order", "Order")
    for product in products:
        add_to_basket(client, product)
    if spend_points:
        response = client.post(reverse("loyalty:points-apply"), {"points": "100"})
        assert response.status_code == 302
    with count_queries() as basket_q, timed() as basket_t:
        response = client.get(reverse("basket:summary"))
    assert response.status_code == 200
    if spend_points:
        assert b"100 points" in response.content, "the points were not applied"
    with count_queries() as list_q, timed() as list_t:
        response = client.get(reverse("catalogue:range", kwargs={"slug": product_range.slug}))
    list_sql = [q["sql"] for q in list_q.captured_queries]
    assert response.status_code == 200
    response = client.get(reverse("checkout:index"), follow=True)
    assert response.status_code == 200
    response = client.post(reverse("checkout:shipping-address"), ADDRESS)
    assert response.status_code == 302
    assert client.get(reverse("checkout:shipping-method"), follow=True).status_code == 200
    assert client.get(reverse("checkout:payment-method"), follow=True).status_code == 200
    assert client.get(reverse("checkout:preview")).status_code == 200
    last = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with count_queries() as place_q, timed() as place_t:
        response = client.post(reverse("checkout:preview"), {"action": "place_order"})
    # Read now: the next request's start clears the connection's query log.
    place_sql = [q["sql"] for q in place_q.captured_queries]
    assert response.status_code == 302, response.content[:2000]
    order = Order.objects.get(pk__gt=last, user=client.session_user)
    assert order.lines.count() == len(products)
    client.get(reverse("checkout:thank-you"))
    return {
        "place_s": place_t.seconds,
        "place_q": place_q.count,
        "basket_s": basket_t.seconds,
        "basket_q": basket_q.count,
        "list_s": list_t.seconds,
        "list_q": list_q.count,
        "order": order,
        "place_sql": place_sql,
        "list_sql": list_sql,
    }


def run_deferred_work(order) -> dict:
    """Run the task the checkout enqueued, as the worker would (not part of the request)."""
    from django_tasks_db.models import DBTaskResult

    from oscar_loyalty.orders import process_placed_order

    queued = DBTaskResult.objects.filter(
        task_path__endswith="process_placed_order", args_kwargs__args=[order.pk]
    )
    assert queued.count() == 1, "the checkout did not enqueue the club's work"
    with count_queries() as q, timed() as t:
        process_placed_order.call(order.pk)
    queued.delete()
    return {"task_s": t.seconds, "task_q": q.count}


def check_addon_effects(order, user) -> None:
    """The add-on really ran: member prices charged, points spent and earned."""
    from oscar_loyalty.apps.points.models import PointsEarning, PointsRedemption

    line = order.lines.first()
    assert line.unit_price_excl_tax == D("9.00"), line.unit_price_excl_tax
    spent = PointsRedemption.objects.get(order=order)
    assert spent.captured_points == 100
    assert spent.captured_entry.points == -100, "the task did not write the points' debit"
    assert PointsEarning.objects.filter(order=order).exists()


def check_stock_effects(order) -> None:
    from oscar_loyalty.apps.points.models import PointsEarning

    assert order.lines.first().unit_price_excl_tax == D("10.00")
    assert not PointsEarning.objects.filter(order=order).exists()


def _dump_sql(directory: str, name: str, size: int, sql: list[str]) -> None:
    from pathlib import Path

    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    (path / f"{name}-{size}.sql").write_text("\n".join(sql) + "\n")


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--iterations", type=int, default=15)
    p.add_argument(
        "--dump-sql",
        metavar="DIR",
        help="write each configuration's place-order and product-list SQL (last run) to DIR",
    )
    args = p.parse_args()
    iterations = 2 if args.smoke else args.iterations
    setup_django()
    from django.test import Client

    products, ranges, user = build_shop(max(SIZES))
    # Warm both configurations once (template compilation, thumbnails, caches).
    configs = {"stock": stock_oscar, "addon": addon}
    samples: dict[tuple[str, int], list[dict]] = {}
    for size in SIZES:
        for config in configs:
            samples[(config, size)] = []
        for i in range(iterations + 1):
            order = ("stock", "addon") if i % 2 == 0 else ("addon", "stock")
            for config in order:
                client = Client()
                client.force_login(user)
                client.session_user = user
                list_range = ranges[LIST_FOR[size]]
                with configs[config]():
                    result = run_checkout(
                        client, products[:size], list_range, spend_points=config == "addon"
                    )
                if config == "addon":
                    order = result.pop("order")
                    result.update(run_deferred_work(order))
                    check_addon_effects(order, user)
                else:
                    check_stock_effects(result.pop("order"))
                sql = {"place": result.pop("place_sql"), "list": result.pop("list_sql")}
                if args.dump_sql and i == iterations:
                    for page, queries in sql.items():
                        _dump_sql(args.dump_sql, f"{page}-{config}", size, queries)
                if i > 0:  # the first round warms up
                    samples[(config, size)].append(result)
        print(f"basket of {size}: done", flush=True)

    rows, figures = [], []
    targets = Targets(smoke=args.smoke)
    extras = {"basket": set(), "list": set()}
    for size in SIZES:
        stock, ours = samples[("stock", size)], samples[("addon", size)]
        fig = {"lines": size}
        for key in ("place", "basket", "list"):
            fig[f"{key}_stock_s"] = median([s[f"{key}_s"] for s in stock])
            fig[f"{key}_addon_s"] = median([s[f"{key}_s"] for s in ours])
            fig[f"{key}_stock_q"] = max(s[f"{key}_q"] for s in stock)
            fig[f"{key}_addon_q"] = max(s[f"{key}_q"] for s in ours)
        fig["place_ratio"] = fig["place_addon_s"] / fig["place_stock_s"]
        figures.append(fig)
        rows.append(
            [
                size,
                f"{fig['place_stock_s'] * 1000:.1f}",
                f"{fig['place_addon_s'] * 1000:.1f}",
                f"{fig['place_ratio']:.3f}",
                f"{fig['place_stock_q']} → {fig['place_addon_q']}",
                f"{fig['basket_stock_q']} → {fig['basket_addon_q']}",
                f"{fig['list_stock_q']} → {fig['list_addon_q']} ({LIST_FOR[size]} products)",
            ]
        )
        extra_place = fig["place_addon_q"] - fig["place_stock_q"]
        targets.check(
            f"place order, {size} lines: time ratio",
            f"{fig['place_ratio']:.3f}",
            "≤ 1.10",
            ok=fig["place_ratio"] <= 1.10,
            timing=True,
        )
        targets.check(
            f"place order, {size} lines: extra queries",
            extra_place,
            f"≤ {PLACE_ORDER_EXTRA}",
            ok=extra_place <= PLACE_ORDER_EXTRA,
        )
        targets.check(
            f"place order, {size} lines: extra queries (regression budget)",
            extra_place,
            f"≤ {PLACE_ORDER_BUDGET}",
            ok=extra_place <= PLACE_ORDER_BUDGET,
        )
        for key in ("basket", "list"):
            extra = fig[f"{key}_addon_q"] - fig[f"{key}_stock_q"]
            extras[key].add(extra)
            targets.check(f"{key} page, {size} lines: extra queries", extra, "≤ 2", ok=extra <= 2)
    for key, values in extras.items():
        targets.check(
            f"{key} page: extra queries constant", sorted(values), "one value", ok=len(values) == 1
        )
    place_extras = {f["place_addon_q"] - f["place_stock_q"] for f in figures}
    targets.check(
        "place order: extra queries constant",
        sorted(place_extras),
        "one value",
        ok=len(place_extras) == 1,
    )
    print_table(
        f"Checkout, median of {iterations} alternating runs per configuration (ms; queries)",
        [
            "Lines",
            "Place order stock",
            "Place order add-on",
            "Ratio",
            "Place order queries",
            "Basket page queries",
            "Product list queries",
        ],
        rows,
    )
    write_results(
        "checkout",
        {"iterations": iterations, "figures": figures, "targets": targets.report()},
        smoke=args.smoke,
    )
    targets.exit()


if __name__ == "__main__":
    main()
