"""Settings of the benchmarks: the test settings on a throwaway database of their own.

SQLite file ``var/bench.sqlite3`` by default (``BENCH_SQLITE`` names another
file); ``DATABASE_URL`` selects PostgreSQL. Background tasks use the real
database queue (the newsletter benchmark runs a real worker process).
"""

import os

from tests.settings import *  # noqa: F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["NAME"] = os.environ.get(  # noqa: F405
        "BENCH_SQLITE",
        str(ROOT_DIR / "var" / "bench.sqlite3"),  # noqa: F405
    )
    # Several writers (the newsletter worker) share the file.
    DATABASES["default"]["OPTIONS"] = {"timeout": 60}  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ALLOWED_HOSTS = ["*"]
# The newsletter benchmark's worker logs what the "ESP" accepted (benchmarks/esp.py).
EMAIL_BACKEND = os.environ.get("BENCH_EMAIL_BACKEND", EMAIL_BACKEND)  # noqa: F405
# Products without images: sorl-thumbnail logs each missing placeholder.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"sorl.thumbnail": {"level": "CRITICAL"}},
}
# One benchmark customer applies points on every checkout (3 sizes x 16 runs);
# the per-user limit is not what is measured.
OSCAR_LOYALTY_POINTS_RATE_LIMIT = (10**6, 600)
# The checkout benchmark's guest checks out without an account (in both stores).
OSCAR_ALLOW_ANON_CHECKOUT = True
