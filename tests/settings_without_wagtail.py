"""A store with Oscar and the add-on's core apps but no Wagtail (and no newsletter app)."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [  # noqa: F405
    app
    for app in INSTALLED_APPS  # noqa: F405
    if not app.startswith(("wagtail", "modelcluster", "taggit", "sandbox."))
    and ".newsletter" not in app
]
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("wagtail")]  # noqa: F405
ROOT_URLCONF = "tests.urls_without_wagtail"
