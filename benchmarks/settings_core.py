"""The add-on's core install for the checkout benchmark: ``benchmarks.settings`` without
Wagtail and the newsletter app (the README's "core" block), to tell the add-on's own
cost from that of the apps a full install brings beside it.

    BENCH_ADDON_SETTINGS=benchmarks.settings_core python -m benchmarks.checkout
"""

from benchmarks.settings import *  # noqa: F403

INSTALLED_APPS = [  # noqa: F405
    app
    for app in INSTALLED_APPS  # noqa: F405
    if not app.startswith(("wagtail", "modelcluster", "taggit", "sandbox."))
    and ".newsletter" not in app
]
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("wagtail")]  # noqa: F405
ROOT_URLCONF = "benchmarks.urls_core"
