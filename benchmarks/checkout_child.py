"""The checkout benchmark's child process: one store, one configuration (benchmarks.checkout).

It migrates its database, builds the catalogue and shoppers (``checkout_shop``), walks
the whole checkout through Oscar's views, checkout by checkout as the parent asks, and
writes every request's queries and time as JSON for the parent.
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import re
import subprocess
import sys
import time
from decimal import Decimal as D
from pathlib import Path

from benchmarks._common import (
    count_queries,
    setup_django,
    timed,
)
from benchmarks.checkout_shop import LIST_FOR, build_shop, ensure_database
from benchmarks.sampling import Sampler

CONFIGS = {"stock": "benchmarks.settings_stock", "addon": "benchmarks.settings"}
SIZES = (1, 5, 20)
KINDS = ("spender", "earner", "guest")
# Budgets (issue #18): extra queries per page against stock, and for placing the order.
PAGE_BUDGET = 1
PLACE_ORDER_BUDGET = 5
TIME_RATIO_BUDGET = 1.10
# The pages, in the order a shopper meets them. "apply points" exists only with
# the add-on; "guest email" only for the guest.
PAGES = (
    "add to basket",
    "apply points",
    "basket",
    "product list",
    "checkout index",
    "guest email",
    "shipping address",
    "shipping address (submit)",
    "shipping method",
    "payment method",
    "preview",
    "place order",
    "thank you",
)


# The child: one configuration, one process ------------------------------------


# BENCH_PROFILE=DIR: cProfile of every place-order request (CPU time of this
# thread, so waiting for the database or a core is left out), written to
# DIR/<store>.prof for `python -m pstats` (docs/performance.md, "Profiling").
PROFILER = cProfile.Profile(time.thread_time) if os.environ.get("BENCH_PROFILE") else None
# BENCH_SAMPLE=DIR: a sampling profile of the same requests, written to
# DIR/<store>.folded; ``python -m benchmarks.sampling DIR`` compares the stores.
SAMPLER = Sampler() if os.environ.get("BENCH_SAMPLE") else None


class GcClock:
    """CPU seconds spent in the cyclic garbage collector, by generation."""

    def __init__(self):
        self.seconds = [0.0, 0.0, 0.0]
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase, info):
        if phase == "start":
            self._start = time.thread_time()
        else:
            self.seconds[info["generation"]] += time.thread_time() - self._start

    def read(self) -> list[float]:
        return list(self.seconds)


GC_CLOCK = GcClock()


def _shape(sql: str) -> str:
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)[:160]


class Walk:
    """One shopper's checkout: every request timed and its queries counted."""

    def __init__(self, client, *, keep_sql: bool):
        self.client = client
        self.keep_sql = keep_sql
        self.pages: dict[str, dict] = {}
        self.adds: list[dict] = []

    def hit(self, page: str, method: str, url: str, data=None, *, expect=(200,)):
        cpu = time.process_time()
        gc_before = GC_CLOCK.read()
        profiling = PROFILER is not None and page == "place order"
        sampling = SAMPLER is not None and page == "place order"
        with count_queries() as q, timed() as t:
            if profiling:
                PROFILER.enable()
            if sampling:
                SAMPLER.start()
            response = getattr(self.client, method)(url, data or {})
            if sampling:
                SAMPLER.stop()
            if profiling:
                PROFILER.disable()
        # This process's CPU time too: on a machine shared with other jobs the
        # wall clock mostly measures waiting for a core (the database server's
        # work is not in it; the query counts are).
        cpu = time.process_time() - cpu
        assert response.status_code in expect, (
            page,
            response.status_code,
            response.content[:1500],
        )
        # Read now: the next request's start clears the connection's query log.
        sample = {"q": q.count, "s": t.seconds, "cpu": cpu, "status": response.status_code}
        # The collector's share of it, by generation (a larger process pays more for
        # a full collection; measured at 0–2 ms, docs/performance.md).
        spent = zip(gc_before, GC_CLOCK.read(), strict=True)
        sample["gc"] = [after - before for before, after in spent]
        sql = [query["sql"] for query in q.captured_queries]
        # What each query is, without its values: the parent names the extra
        # queries of a page that misses its budget.
        sample["shapes"] = [_shape(statement) for statement in sql]
        if self.keep_sql:
            sample["sql"] = sql
        if page == "add to basket":
            self.adds.append(sample)
        else:
            self.pages[page] = sample
        return response


def run_checkout(client, shop, size: int, kind: str, *, addon: bool, keep_sql: bool) -> dict:
    from django.urls import reverse
    from oscar.core.loading import get_model

    from tests.checkout import ADDRESS

    Order = get_model("order", "Order")
    walk = Walk(client, keep_sql=keep_sql)
    for product in shop["products"][:size]:
        url = reverse("basket:add", kwargs={"pk": product.pk})
        walk.hit("add to basket", "post", url, {"quantity": 1}, expect=(302,))
    voucher = shop["voucher"] if kind == "spender" else None
    if kind == "spender" and addon:
        walk.hit(
            "apply points",
            "post",
            reverse("loyalty:points-apply"),
            {"points": "100"},
            expect=(302,),
        )
    elif voucher:
        # Stock's like for like (BENCH_STOCK_VOUCHER=1): Oscar's voucher, the same money off.
        walk.hit(
            "apply points",
            "post",
            reverse("basket:vouchers-add"),
            {"code": voucher},
            expect=(302,),
        )
    response = walk.hit("basket", "get", reverse("basket:summary"))
    if kind == "spender" and addon:
        assert b"100 points" in response.content, "the points were not applied"
    elif voucher:
        assert voucher.encode() in response.content, "the voucher was not applied"
    product_range = shop["ranges"][LIST_FOR[size]]
    walk.hit(
        "product list", "get", reverse("catalogue:range", kwargs={"slug": product_range.slug})
    )
    if kind == "guest":
        walk.hit("checkout index", "get", reverse("checkout:index"))
        email = f"guest-{shop['suffix']}@example.com"
        walk.hit(
            "guest email",
            "post",
            reverse("checkout:index"),
            {"username": email, "options": "anonymous"},
            expect=(302,),
        )
    else:
        walk.hit("checkout index", "get", reverse("checkout:index"), expect=(302,))
    walk.hit("shipping address", "get", reverse("checkout:shipping-address"))
    walk.hit(
        "shipping address (submit)",
        "post",
        reverse("checkout:shipping-address"),
        ADDRESS,
        expect=(302,),
    )
    walk.hit("shipping method", "get", reverse("checkout:shipping-method"), expect=(200, 302))
    walk.hit("payment method", "get", reverse("checkout:payment-method"), expect=(200, 302))
    walk.hit("preview", "get", reverse("checkout:preview"))
    last = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = walk.hit(
        "place order",
        "post",
        reverse("checkout:preview"),
        {"action": "place_order"},
        expect=(302,),
    )
    assert response["Location"].endswith(reverse("checkout:thank-you")), response["Location"]
    walk.hit("thank you", "get", reverse("checkout:thank-you"))
    order = Order.objects.get(pk__gt=last)
    assert order.lines.count() == size
    if kind != "guest":
        assert order.user_id == shop["users"][kind].pk
    return {"pages": walk.pages, "adds": walk.adds, "order": order}


class TaskWorker:
    """The add-on store's worker process (``checkout_worker``), run when asked, between checkouts.

    Not in the web process: a store runs its tasks in a worker of their own, and the
    task's statements would push the checkout's out of this process's caches.
    """

    def __init__(self):
        # The same settings and database: the child's environment is passed on.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.checkout_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )

    def run(self) -> int:
        """Run every queued task; the number that ran (each one succeeded, or this raises)."""
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        assert answer.startswith("ran "), f"the worker answered {answer!r}"
        return int(answer.split()[1])

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def check_effects(order, kind: str, *, worker: TaskWorker | None) -> None:
    """The add-on ran (member prices, points spent and earned); stock charged list prices."""
    line = order.lines.first()
    if worker is None:
        assert line.unit_price_excl_tax == D("10.00"), line.unit_price_excl_tax
        return
    assert worker.run() >= (0 if kind == "guest" else 1), "the checkout enqueued nothing"
    if kind == "guest":
        assert line.unit_price_excl_tax == D("10.00"), line.unit_price_excl_tax
        return
    from oscar_loyalty.apps.points.models import PointsEarning, PointsRedemption

    assert line.unit_price_excl_tax == D("9.00"), line.unit_price_excl_tax
    if kind == "spender":
        spent = PointsRedemption.objects.get(order=order)
        assert spent.captured_points == 100
        assert spent.captured_entry.points == -100, "the task did not write the points' debit"
    assert PointsEarning.objects.filter(order=order).exists(), "no points earned"


def _client(shop, kind: str):
    from django.test import Client

    client = Client()
    if kind != "guest":
        client.force_login(shop["users"][kind])
    return client


# What the add-on keeps per process and reloads after a while (one query each,
# once a minute or ten): nothing they hold changes during a run, so they are kept
# for the run. Otherwise a reload falls on whichever page the clock reaches, and
# a slow machine would count it against that page. Their cost per process is
# said in docs/performance.md, not hidden in one page's figure.
PROCESS_CACHE_LIFETIMES = {
    "oscar_loyalty.apps.offers.tier_only": "PRODUCTS_TTL",
    "oscar_loyalty.apps.rewards.receivers": "PRODUCTS_TTL",
    "oscar_loyalty.apps.points.hints": "JOINING_TTL",
    "oscar_loyalty.apps.offers.perk_snapshot": "MAX_AGE",
}


def _hold_process_caches() -> None:
    import importlib

    from django.apps import apps

    for module_name, attribute in PROCESS_CACHE_LIFETIMES.items():
        app = module_name.rsplit(".", 1)[0]
        if apps.is_installed(app):
            setattr(importlib.import_module(module_name), attribute, 24 * 3600.0)


def pin_to_one_cpu() -> int | None:
    """Run this process on one CPU, the same for both stores (``BENCH_CPU``; the last by default).

    A virtual machine's CPUs are not equally fast from one minute to the next (another
    tenant may share a CPU's physical core), and the scheduler tends to keep a busy
    process where it ran: one store's process could then run a whole round on the
    slower CPU. The two stores take turns, checkout by checkout, so one CPU serves both
    without either waiting for the other; the database server and the task worker are
    left to the scheduler. ``BENCH_CPU=none`` leaves this process to it too.
    """
    choice = os.environ.get("BENCH_CPU", "")
    if choice == "none" or not hasattr(os, "sched_setaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    cpu = int(choice) if choice else cpus[-1]
    os.sched_setaffinity(0, {cpu})
    return cpu


def run_child(args) -> None:
    answers = answer_channel()
    settings_module = CONFIGS[args.child]
    if args.child == "addon":
        # Another install of the add-on (benchmarks/settings_core.py: without Wagtail).
        settings_module = os.environ.get("BENCH_ADDON_SETTINGS", settings_module)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    setup_django(migrate=False)
    ensure_database()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    addon = apps.is_installed("oscar_loyalty")
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = args.kinds.split(",")
    shop = build_shop(max(sizes), addon=addon)
    worker = None
    if addon:
        _hold_process_caches()
        worker = TaskWorker()
    # After the worker started: it keeps the scheduler's choice (a store's worker runs
    # between checkouts, on whichever CPU is free).
    cpu = pin_to_one_cpu()
    # Warm up: templates compiled, process caches filled, first-use rows created.
    # The first shopper adds every product once: a product's first basket
    # addition inserts its analytics row, and each store's database keeps the
    # rows of earlier runs, so a cold product in one store only would count
    # as a query of the add-on (or of stock) in the measured checkouts.
    for n, kind in enumerate(kinds):
        size = max(sizes) if n == 0 else 1
        result = run_checkout(_client(shop, kind), shop, size, kind, addon=addon, keep_sql=False)
        check_effects(result["order"], kind, worker=worker)
    samples: dict[str, list] = {}
    # The parent drives both stores' processes checkout by checkout (``serve``), so
    # that a machine whose speed drifts over minutes slows both alike.
    for command in serve(answers):
        size, kind = command["size"], command["kind"]
        keep_sql = bool(args.dump_sql) and command.get("keep_sql", False)
        result = run_checkout(
            _client(shop, kind), shop, size, kind, addon=addon, keep_sql=keep_sql
        )
        check_effects(result.pop("order"), kind, worker=worker)
        if keep_sql:
            _dump_sql(args.dump_sql, args.child, kind, size, result)
        for sample in [*result["pages"].values(), *result["adds"]]:
            sample.pop("sql", None)
        samples.setdefault(f"{kind}/{size}", []).append(result)
    if worker is not None:
        worker.close()
    if PROFILER is not None:
        Path(os.environ["BENCH_PROFILE"]).mkdir(parents=True, exist_ok=True)
        PROFILER.dump_stats(Path(os.environ["BENCH_PROFILE"]) / f"{args.child}.prof")
    if SAMPLER is not None:
        SAMPLER.dump(Path(os.environ["BENCH_SAMPLE"]) / f"{args.child}.folded")
    Path(args.out).write_text(
        json.dumps(
            {
                "config": args.child,
                "database": connection.vendor,
                "durability": durability(),
                "cpu": cpu,
                "samples": samples,
            }
        )
    )


def answer_channel():
    """Stdout, kept for the answers to the parent; anything else printed goes to stderr."""
    import sys

    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return answers


def serve(answers):
    """The parent's commands, one JSON line each on stdin; each answered on ``answers``.

    ``ready`` when the store is set up and warm, ``ok`` after each checkout; an
    ``{"end": true}`` line (or the end of stdin) ends the loop.
    """
    import sys

    answers.write("ready\n")
    for line in sys.stdin:
        command = json.loads(line)
        if command.get("end"):
            break
        yield command
        answers.write("ok\n")
    answers.close()


def durability() -> str:
    """How this process's commits reach the disk: the two stores must answer the same."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
        else:
            cursor.execute("PRAGMA synchronous")
        return str(cursor.fetchone()[0])


def _dump_sql(directory: str, config: str, kind: str, size: int, result: dict) -> None:
    path = Path(directory) / config / f"{kind}-{size}"
    path.mkdir(parents=True, exist_ok=True)
    for index, sample in enumerate(result["adds"], start=1):
        (path / f"add-{index:02}.sql").write_text("\n".join(sample["sql"]) + "\n")
    for number, page in enumerate(PAGES):
        if page in result["pages"]:
            name = f"{number:02}-{page.replace(' ', '-').replace('(', '').replace(')', '')}.sql"
            (path / name).write_text("\n".join(result["pages"][page]["sql"]) + "\n")


# The parent: rounds of alternating processes, budgets ----------------------------------
