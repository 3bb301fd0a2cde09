"""A worker process for the SIGKILL tests: ``python -m tests.apps.newsletter.worker …``.

``db_worker`` (the default deployment) or, with ``--campaign ID``, one
``sending.process_campaign`` run. It can be killed by SIGKILL before its
``KILL_AT_STATEMENT``-th SQL statement (a random instant chosen by the test,
independent of the machine's speed), and its clock can run ``NOW_OFFSET``
seconds ahead (a restart after the dead worker's lease). It prints how many
statements it ran, so a test can choose instants within a run.
"""

import atexit
import os
import signal
import sys
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.apps.newsletter.worker_settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

offset = timedelta(seconds=int(os.environ.get("NOW_OFFSET") or 0))
if offset:
    real_now = timezone.now
    timezone.now = lambda: real_now() + offset

kill_at = int(os.environ.get("KILL_AT_STATEMENT") or 0)
statements = 0


def count_and_kill(execute, sql, params, many, context):
    global statements
    statements += 1
    if statements == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return execute(sql, params, many, context)


connection.execute_wrappers.append(count_and_kill)
atexit.register(lambda: print("STATEMENTS", statements, flush=True))

if sys.argv[1:2] == ["--campaign"]:
    from oscar_loyalty.apps.newsletter import sending

    print(sending.process_campaign(int(sys.argv[2])), flush=True)
else:
    # --batch: run every task that is due, then exit (a deferred follow-up is not due).
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
