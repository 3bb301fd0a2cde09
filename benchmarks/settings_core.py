"""The add-on's core install for the checkout benchmark: ``benchmarks.settings`` without
Wagtail and the newsletter app (the README's "core" block), to tell the add-on's own
cost from that of the apps a full install brings beside it.

    BENCH_ADDON_SETTINGS=benchmarks.settings_core python -m benchmarks.checkout
"""

from benchmarks.settings import *  # noqa: F403

# The same apps and middleware as the suite's store without Wagtail.
from tests.settings_without_wagtail import INSTALLED_APPS, MIDDLEWARE  # noqa: E402, F401

ROOT_URLCONF = "benchmarks.urls_core"
