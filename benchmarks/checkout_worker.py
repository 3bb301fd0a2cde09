"""The add-on store's task worker in the checkout benchmark: a process of its own, as in a store.

An order's follow-up (the points debit and earning, the tier, referral rewards) is a
task the place-order request only enqueues; a store runs it in a worker process
(django-tasks' ``db_worker``). Until 7 December the benchmark ran it inside the web
process, between two checkouts. That filled the web process's caches with what no web
process of a store runs: psycopg keeps the 128 statements it parsed last, and the
task's statements pushed out the checkout's, so the next place order parsed about 24
of its statements again (about 1 ms; ``BENCH_SAMPLE``, docs/performance.md).

This process runs django-tasks' own worker loop (``Worker``, batch mode) each time the
child asks: the line ``run`` on stdin. It answers on stdout with one line,
``ran N`` (N tasks succeeded and were removed) or ``failed ...`` naming each failure.
It waits on stdin in between, so it takes no CPU from a timed request.
"""

from __future__ import annotations

import sys

from benchmarks._common import setup_django


def run_batch() -> str:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="checkout-benchmark",
        excluded_queue_names=[],
    ).run()
    failed = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).values_list(
            "task_path", "exception_class_path"
        )
    )
    if failed:
        return "failed " + "; ".join(f"{path}: {error}" for path, error in failed)
    ran, _ = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).delete()
    return f"ran {ran}"


def main() -> None:
    setup_django(migrate=False)
    for line in sys.stdin:
        if line.strip() == "run":
            print(run_batch(), flush=True)


if __name__ == "__main__":
    main()
