"""A sampling profiler for the checkout benchmark's place order (``BENCH_SAMPLE=DIR``).

cProfile (``BENCH_PROFILE``) hooks every Python call, so code made of many
small calls (the ORM's compiler, psycopg's query parser) looks several times
dearer than it is: under it a one-line place order took 250 ms instead of
45. This profiler instead looks at the stack every ``INTERVAL`` seconds of
wall-clock time (``ITIMER_REAL`` and its signal), which costs the same
wherever the code is and counts waiting for the database where the code
waits, and writes the stacks in the "folded" format of flame graphs
(``frame;frame;frame count``), one file per store: ``DIR/stock.folded`` and
``DIR/addon.folded``. A sample stands for the measured time divided by the
number of samples (the timer fires late when a C call holds the interpreter).

``python -m benchmarks.sampling DIR`` compares the two: for each function, the
milliseconds per request spent in it and in what it called (inclusive),
stock against add-on, largest difference first. ``--own`` instead charges
each of the add-on's samples to the outermost frame of the add-on's own code
(or of its task queue) that it ran in, the request-wide middleware aside, and
splits it into waiting for the database and the rest. A step is charged with
the stock code it calls: the applicator with Oscar's own offer query and the
basket's lines (which stock reads later, in its checkout's validity check),
the strategy with loading the request's user (stock's ``Selector`` does that);
``--match`` on the default listing shows such pieces in both stores.

Unix only (``signal.setitimer``); the benchmark starts it only when asked.
"""

from __future__ import annotations

import argparse
import collections
import signal
import sys
import time
from pathlib import Path

INTERVAL = 0.0005  # seconds between samples


class Sampler:
    def __init__(self, interval: float = INTERVAL):
        self.interval = interval
        # Code objects, named only when written: the handler must stay cheap.
        self.stacks: collections.Counter[tuple] = collections.Counter()
        self.requests = 0
        self.seconds = 0.0
        self._started = 0.0
        signal.signal(signal.SIGALRM, self._sample)

    def _sample(self, signum, frame) -> None:
        codes = []
        while frame is not None:
            codes.append(frame.f_code)
            frame = frame.f_back
        self.stacks[tuple(codes)] += 1

    def start(self) -> None:
        self.requests += 1
        self._started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, self.interval, self.interval)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        self.seconds += time.perf_counter() - self._started

    def dump(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"# requests {self.requests} seconds {self.seconds}"]
        folded: collections.Counter[str] = collections.Counter()
        for codes, count in self.stacks.items():
            folded[";".join(_name(code) for code in reversed(codes))] += count
        lines += [f"{stack} {count}" for stack, count in folded.most_common()]
        path.write_text("\n".join(lines) + "\n")


def _name(code) -> str:
    return f"{_short(code.co_filename)}:{code.co_firstlineno}:{code.co_name}"


# The checkout's own files are named from the repository's root, wherever it is.
ROOT = f"{Path(__file__).resolve().parents[1]}/"


def _short(filename: str) -> str:
    for marker in ("site-packages/", ROOT, "/lib/python3."):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def _stacks(path: Path) -> tuple[list[tuple[list[str], int]], float]:
    """The file's stacks (frames, samples) and the ms per request one sample stands for."""
    lines = path.read_text().splitlines()
    header = lines[0].split()
    requests, seconds = int(header[2]), float(header[4])
    stacks = []
    for line in lines[1:]:
        stack, count = line.rsplit(" ", 1)
        stacks.append((stack.split(";"), int(count)))
    total = sum(count for _, count in stacks)
    return stacks, seconds * 1000 / max(total, 1) / requests


def read(path: Path) -> tuple[dict[str, float], float]:
    """Inclusive ms per request of each function, and the total."""
    stacks, scale = _stacks(path)
    inclusive: collections.Counter[str] = collections.Counter()
    for frames, count in stacks:
        for name in set(frames):
            inclusive[name] += count
    total = sum(count for _, count in stacks)
    return {name: count * scale for name, count in inclusive.items()}, total * scale


def compare(directory: Path, *, top: int = 40, match: str = "") -> None:
    stock, stock_total = read(directory / "stock.folded")
    addon, addon_total = read(directory / "addon.folded")
    print(f"ms per place order: stock {stock_total:.2f}, add-on {addon_total:.2f}")
    rows = [
        (
            addon.get(name, 0.0) - stock.get(name, 0.0),
            stock.get(name, 0.0),
            addon.get(name, 0.0),
            name,
        )
        for name in set(stock) | set(addon)
        if match in name
    ]
    rows.sort(key=lambda row: -abs(row[0]))
    print(f"{'difference':>10} {'stock':>8} {'add-on':>8}  function (inclusive)")
    for difference, in_stock, in_addon, name in rows[:top]:
        print(f"{difference:+10.2f} {in_stock:8.2f} {in_addon:8.2f}  {name}")


# Packages whose frames are the add-on's own work in its store's process.
OWN = ("oscar_loyalty/", "django_tasks/", "django_tasks_db/")
DATABASE_WAIT = "psycopg/connection.py"


def own_costs(path: Path) -> tuple[dict[str, tuple[float, float]], float]:
    """ms per request charged to each outermost add-on frame: (database wait, the rest)."""
    stacks, scale = _stacks(path)
    charged: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for frames, count in stacks:
        # A middleware of the add-on wraps the whole request: not a step of its own.
        own = next(
            (f for f in frames if f.startswith(OWN) and "/middleware.py:" not in f),
            "(stock code)",
        )
        charged[own][0 if DATABASE_WAIT in frames[-1] else 1] += count
    total = sum(count for _, count in stacks)
    return {k: (db * scale, rest * scale) for k, (db, rest) in charged.items()}, total * scale


def print_own(directory: Path, *, top: int = 40) -> None:
    stock_total = read(directory / "stock.folded")[1]
    costs, addon_total = own_costs(directory / "addon.folded")
    print(f"ms per place order: stock {stock_total:.2f}, add-on {addon_total:.2f}")
    print(f"{'database':>9} {'other':>7} {'total':>7}  the add-on's step (outermost frame)")
    rows = sorted(costs.items(), key=lambda item: -sum(item[1]))
    for name, (db, rest) in rows[:top]:
        print(f"{db:9.2f} {rest:7.2f} {db + rest:7.2f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only functions whose name holds this")
    parser.add_argument("--own", action="store_true", help="the add-on's own steps, charged once")
    args = parser.parse_args()
    if args.own:
        print_own(args.directory, top=args.top)
    else:
        compare(args.directory, top=args.top, match=args.match)


if __name__ == "__main__":
    sys.exit(main())
