"""Real threads against the real database, released together by a barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections

from oscar_loyalty.exceptions import LoyaltyError


def run_in_threads(
    target: Callable[[int], object],
    count: int,
    *,
    expected: type[Exception] = LoyaltyError,
) -> tuple[list, list]:
    """Call ``target(index)`` in ``count`` threads at once.

    Returns the results and the ``expected`` errors (refusals); any other
    error propagates as a missing result, so assertions on the counts catch it.
    Each thread closes its own database connection.
    """
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results.append(target(index))
        except expected as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def postgres_races(what: str) -> list:
    """The marks of a module of real-thread races: PostgreSQL only, real commits.

    ``serialized_rollback``: an earlier transactional test flushed the tables;
    restore what the migrations wrote first.
    """
    import pytest
    from django.db import connection

    return [
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
        pytest.mark.skipif(
            connection.vendor != "postgresql",
            reason="SQLite locks the whole database file, so it cannot show row-lock races; "
            f"run with DATABASE_URL=postgres://... to test {what}.",
        ),
    ]
