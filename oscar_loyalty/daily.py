"""The daily jobs: one registry, run in an explicit order by one command and one task.

Each app registers its jobs in its ``loyalty_daily`` module, found for every
installed app (an app that is not installed registers nothing), on the model
of Wagtail's hooks::

    from oscar_loyalty import daily

    @daily.register("points.mature", order=60)
    def mature() -> int:
        return earning.mature_due_earnings()

``manage.py loyalty_daily`` runs them all (``--only NAME``, ``--list``); so
does the django-tasks task ``oscar_loyalty.tasks.run_daily_jobs``. Jobs run in
ascending ``order`` (then by name), each on its own: one that raises is logged
and reported, and the others still run. A job returns something
JSON-serialisable (a count, a dict of counts), for the task's result.

Every job is idempotent (a rerun changes nothing twice), so the whole run
may be repeated after a failure. The order matters where one job's work is
another's input: the points catch-up settles lost order work before points
mature or expire; tiers are recomputed after memberships expire.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

#: The module each installed app may have to register its daily jobs.
MODULE = "loyalty_daily"


@dataclass(frozen=True)
class Job:
    name: str
    fn: Callable[..., Any]
    order: int
    #: One line for ``loyalty_daily --list``.
    description: str = ""


@dataclass
class Outcome:
    name: str
    result: Any = None
    error: BaseException | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None


class UnknownJob(LookupError):
    """A job name that no installed app registered."""


class DailyJobsFailed(RuntimeError):
    """Raised by the task after every job ran, naming the ones that failed."""


_JOBS: dict[str, Job] = {}
_loaded = False


def register(name: str, fn: Callable | None = None, *, order: int, description: str = ""):
    """Register ``fn`` as the daily job ``name``; usable as a decorator."""

    def add(fn: Callable) -> Callable:
        doc = (fn.__doc__ or "").strip().splitlines()
        _JOBS[name] = Job(name, fn, order, description or (doc[0] if doc else ""))
        return fn

    return add(fn) if fn is not None else add


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        autodiscover_modules(MODULE)


def jobs() -> list[Job]:
    """Every registered job, in the order they run."""
    _load()
    return sorted(_JOBS.values(), key=lambda job: (job.order, job.name))


def select(only: Iterable[str] | None = None) -> list[Job]:
    """The jobs named in ``only`` (each a name or a ``prefix.``), in run order; all if None."""
    found = jobs()
    if only is None:
        return found
    chosen = []
    for name in only:
        matched = [job for job in found if job.name == name or job.name.startswith(name + ".")]
        if not matched:
            raise UnknownJob(name)
        chosen += [job for job in matched if job not in chosen]
    return sorted(chosen, key=lambda job: (job.order, job.name))


def run_job(job: Job, **options) -> Outcome:
    """Run one job, isolated: an exception is logged and returned, never raised."""
    try:
        if connection.in_atomic_block:
            # Inside a caller's transaction (a test, a wrapping task), a savepoint keeps a
            # failed job's database error from aborting the jobs after it.
            with transaction.atomic():
                result = job.fn(**options)
        else:
            result = job.fn(**options)
    except Exception as error:  # noqa: BLE001  (isolation is the point)
        logger.exception("Daily job %s failed", job.name)
        return Outcome(job.name, error=error)
    return Outcome(job.name, result=result)


def run(
    only: Iterable[str] | None = None, *, options: dict[str, dict] | None = None
) -> list[Outcome]:
    """Run the jobs (all, or those named in ``only``) in order; one outcome each.

    ``options`` gives a job keyword arguments by name (the old per-job commands'
    ``--batch-size`` and the like).
    """
    options = options or {}
    return [run_job(job, **options.get(job.name, {})) for job in select(only)]
