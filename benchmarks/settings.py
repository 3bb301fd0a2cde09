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

# The add-on as the README installs it, not the sandbox's extras: django-oscar-api
# (the sandbox's ``oscarapi`` extra, a package of its own) is left out with its
# session middleware (Django's own comes back, as in the stock store), and so is
# the sandbox's own app (``sandbox.demo``: its example club-context field, basket
# fragment and order step, docs/extending.md), which a store would not have.
SANDBOX_EXTRAS = ("oscarapi", "sandbox.demo")


def as_the_readme_installs(installed_apps: list, middleware: list) -> tuple[list, list]:
    return (
        [app for app in installed_apps if app not in SANDBOX_EXTRAS],
        [
            "django.contrib.sessions.middleware.SessionMiddleware"
            if name == "oscarapi.middleware.HeaderSessionMiddleware"
            else name
            for name in middleware
        ],
    )


INSTALLED_APPS, MIDDLEWARE = as_the_readme_installs(INSTALLED_APPS, MIDDLEWARE)  # noqa: F405

# Commits wait for the disk, as in production and in the stock store: the test
# settings switch that off (tests/settings.py), which would make the add-on's
# commits cheaper than stock's. ``benchmarks.checkout`` compares the two
# processes' settings and refuses to run if they differ.
DATABASES["default"].get("OPTIONS", {}).pop("options", None)  # noqa: F405
DATABASES["default"].get("OPTIONS", {}).pop("init_command", None)  # noqa: F405
