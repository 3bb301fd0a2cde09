"""A store with a custom user model and a forked Oscar app, without Wagtail."""

from tests.settings_without_wagtail import *  # noqa: F403

INSTALLED_APPS = [  # noqa: F405
    "tests.custom_store.partner.apps.PartnerConfig"
    if app.startswith("oscar.apps.partner")
    else app
    for app in INSTALLED_APPS  # noqa: F405
] + ["tests.custom_store.myauth.apps.MyAuthConfig"]
AUTH_USER_MODEL = "myauth.Shopper"
# The fork's own migrations, numbered differently from Oscar's: Oscar's
# 0001-0006, one of the store's own as 0007, Oscar's 0007_partneraddress_code
# as 0008 (as in Oscar's own test fork). scenario.py builds this package in a
# temporary folder from the installed Oscar, as ``oscar_fork_app`` copies
# migrations, so Oscar's files are not committed here.
MIGRATION_MODULES = {"partner": "custom_store_partner_migrations"}
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
