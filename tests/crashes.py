"""Crash at every commit: find a code path's commits, then die after each in turn.

``commits()`` counts the commits a block makes on one database connection:
every transaction committed (``connection.commit``) and every write made in
autocommit mode (each is its own commit). ``crash_after(n)`` runs the same
block but raises ``Crash`` right after its ``n``-th commit, as a process
killed there would stop: what was committed stays, nothing after it runs,
and no ``on_commit`` hook of that transaction fires (a dead process runs no
hook). A test runs its block once under ``commits()``, then once per commit
under ``crash_after``, each time on fresh objects, then runs the recovery a
store runs (the daily catch-up) and checks the books. No commit is listed by
hand: a new commit in the code is a new crash point in the test.

Needs a ``django_db(transaction=True)`` test: commits must be real.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.db import DEFAULT_DB_ALIAS, connections

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|COPY)\b", re.IGNORECASE)


class Crash(BaseException):
    """The process died here (a BaseException: no ``except Exception`` may swallow it)."""


@dataclass
class CommitLog:
    crash_at: int | None = None
    labels: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.labels)


@contextmanager
def _watch(crash_at: int | None, using: str = DEFAULT_DB_ALIAS) -> Iterator[CommitLog]:
    connection = connections[using]
    log = CommitLog(crash_at=crash_at)
    real_commit = connection.commit

    def reached(label: str) -> None:
        log.labels.append(label)
        if log.count == log.crash_at:
            connection.run_on_commit = []
            raise Crash(f"crashed after commit {log.count}: {label}")

    def commit():
        real_commit()
        reached("COMMIT")

    def writes_in_autocommit(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not connection.in_atomic_block and WRITE.match(sql):
            reached(sql[:60])
        return result

    with mock.patch.object(connection, "commit", commit):
        with connection.execute_wrapper(writes_in_autocommit):
            yield log


def commits(using: str = DEFAULT_DB_ALIAS):
    """Count the commits of the ``with`` block (no crash)."""
    return _watch(None, using)


@contextmanager
def crash_after(n: int, using: str = DEFAULT_DB_ALIAS) -> Iterator[CommitLog]:
    """Run the ``with`` block, dying after its ``n``-th commit (swallowed here)."""
    try:
        with _watch(n, using) as log:
            yield log
    except Crash:
        pass
