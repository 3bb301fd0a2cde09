"""What every variant shares: the test settings, minus some of the add-on's apps.

Run with ``--confcutdir tests/variants`` so that ``tests/conftest.py`` (whose
factories import every app's models) is not loaded.
"""

from tests.settings import *  # noqa: F403

ALL_APPS = list(INSTALLED_APPS)  # noqa: F405
ALL_MIDDLEWARE = list(MIDDLEWARE)  # noqa: F405


def without(*names: str) -> tuple[list[str], list[str]]:
    """``INSTALLED_APPS`` and ``MIDDLEWARE`` without the add-on's sub-apps ``names``.

    A store that leaves out an app leaves out its middleware too.
    """
    modules = tuple(f"oscar_loyalty.apps.{name}." for name in names)
    apps = [app for app in ALL_APPS if not app.startswith(modules)]
    assert len(apps) == len(ALL_APPS) - len(names), f"unknown app in {names}"
    return apps, [m for m in ALL_MIDDLEWARE if not m.startswith(modules)]


# A fresh database per variant, in memory: the journey needs no --reuse-db.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "TEST": {"NAME": ":memory:"},
    }
}
