"""The add-on's core install for the checkout benchmark: ``benchmarks.settings`` without
Wagtail and the newsletter app (the README's "core" block), to tell the add-on's own
cost from that of the apps a full install brings beside it.

    BENCH_ADDON_SETTINGS=benchmarks.settings_core python -m benchmarks.checkout
"""

from benchmarks.settings import *  # noqa: F403

# The same apps and middleware as the suite's store without Wagtail (and, as in
# benchmarks/settings.py, without the sandbox's extras).
from tests.settings_without_wagtail import INSTALLED_APPS, MIDDLEWARE  # noqa: E402

INSTALLED_APPS, MIDDLEWARE = as_the_readme_installs(INSTALLED_APPS, MIDDLEWARE)  # noqa: F405

ROOT_URLCONF = "benchmarks.urls_core"
