"""What every benchmark shares: Django set-up, timing, memory, tables and JSON results."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def setup_django(*, migrate: bool = True) -> None:
    """Configure Django with ``benchmarks.settings`` and bring the schema up to date."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--smoke", action="store_true", help="small numbers, for CI")
    return p


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process since start or ``reset_peak_rss()``, in MB.

    Linux's ``VmHWM``. Not ``ru_maxrss``: a child started by fork and exec
    inherits its parent's peak there, so a worker spawned by a 190 MB
    benchmark process would report at least 190 MB whatever it used.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Start ``peak_rss_mb()`` again from the current size (Linux ≥ 4.0); False if not."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


@contextmanager
def timed():
    """``with timed() as t: ...`` then ``t.seconds``."""

    class Timer:
        seconds = 0.0

    timer = Timer()
    started = time.perf_counter()
    try:
        yield timer
    finally:
        timer.seconds = time.perf_counter() - started


@contextmanager
def count_queries():
    """``with count_queries() as q: ...`` then ``q.count`` (and ``q.queries``)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # Django keeps the last 9,000 queries only, and a capture stops its
    # clearing at each request's start: a process capturing request after
    # request would fill it and then count 0 for everything.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        yield captured
    captured.count = len(captured)


def median(values) -> float:
    return statistics.median(values) if values else 0.0


def print_table(title: str, headers: list[str], rows: list[list]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
        for i, h in enumerate(headers)
    ]
    print(f"\n{title}")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    sys.stdout.flush()


def write_results(name: str, data: dict, *, smoke: bool, database: str | None = None) -> Path:
    """``benchmarks/results/<name>-<database>[-smoke].json``; returns the path.

    ``database``: the vendor, for a process that measured through child
    processes and never set Django up itself (the checkout benchmark).
    """
    database = database or vendor()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{database}{'-smoke' if smoke else ''}.json"
    payload = {
        "benchmark": name,
        "database": database,
        "smoke": smoke,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **data,
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"\nResults written to {path.relative_to(ROOT)}")
    return path


class Targets:
    """Collects target checks; ``exit()`` fails the run if a checked one missed.

    Timing targets are reported but only enforced in full runs: CI machines vary.
    """

    def __init__(self, *, smoke: bool):
        self.smoke = smoke
        self.results: list[dict] = []

    def check(
        self, name: str, value, limit, *, ok: bool, timing: bool = False, enforce: bool = True
    ) -> None:
        """``enforce=False``: reported only (a target known to be missed, see the docs)."""
        enforced = enforce and not (timing and self.smoke)
        self.results.append(
            {"target": name, "value": value, "limit": limit, "met": ok, "enforced": enforced}
        )

    def report(self) -> list[dict]:
        print_table(
            "Targets",
            ["Target", "Measured", "Limit", "Met"],
            [
                [
                    r["target"],
                    r["value"],
                    r["limit"],
                    ("yes" if r["met"] else "NO") + ("" if r["enforced"] else " (not enforced)"),
                ]
                for r in self.results
            ],
        )
        return self.results

    def exit(self) -> None:
        missed = [r for r in self.results if r["enforced"] and not r["met"]]
        if missed:
            for r in missed:
                print(
                    f"target missed: {r['target']} (measured {r['value']}, limit {r['limit']})",
                    file=sys.stderr,
                )
            print(f"\n{len(missed)} target(s) missed.", file=sys.stderr)
            sys.exit(1)
