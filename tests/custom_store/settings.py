"""A store with a custom user model and a forked Oscar app, without Wagtail."""

from tests.settings_without_wagtail import *  # noqa: F403

INSTALLED_APPS = [  # noqa: F405
    "tests.custom_store.partner.apps.PartnerConfig"
    if app.startswith("oscar.apps.partner")
    else app
    for app in INSTALLED_APPS  # noqa: F405
] + ["tests.custom_store.myauth.apps.MyAuthConfig"]
AUTH_USER_MODEL = "myauth.Shopper"
MIGRATION_MODULES = {"partner": "oscar.apps.partner.migrations"}
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
