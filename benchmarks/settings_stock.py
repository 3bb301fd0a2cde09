"""A stock Oscar 4.2 store, the add-on not installed: what the checkout benchmark compares against.

Oscar's documented settings (``oscar.defaults``, its apps, its middleware,
its context processors), with the same choices as the add-on's benchmark
store where Oscar leaves the store a choice (database engine, search engine,
password hasher, storage, languages, currency, order statuses), so that the
only difference between the two processes is the add-on and what it needs
(its apps, Wagtail for the newsletter, Anymail, django-tasks, its class
loader and middleware, its URLs and templates).

Its own database: ``var/bench-stock.sqlite3``, or the PostgreSQL database named
in ``DATABASE_URL`` with ``_stock`` appended (the checkout benchmark creates
it). Never the add-on's database: each configuration migrates and fills its own.
"""

import os
from pathlib import Path

import dj_database_url
from oscar.defaults import *  # noqa: F403  (Oscar's documented way to get its defaults)

ROOT_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "benchmark-stock-oscar"
DEBUG = False
ALLOWED_HOSTS = ["*"]

DATABASES = {"default": dj_database_url.config(default="sqlite:///unused", conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = os.environ.get(
        "BENCH_STOCK_SQLITE", str(ROOT_DIR / "var" / "bench-stock.sqlite3")
    )
    DATABASES["default"]["OPTIONS"] = {"timeout": 60}
else:
    DATABASES["default"]["NAME"] += "_stock"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# Oscar's documentation, "Building your own shop": these apps, nothing else.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "oscar.apps.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "oscar.apps.shipping.apps.ShippingConfig",
    "oscar.apps.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "oscar.apps.partner.apps.PartnerConfig",
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "oscar.apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "oscar.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "django_tables2",
    "sorl.thumbnail",
]
SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
]
ROOT_URLCONF = "benchmarks.urls_stock"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    }
]

AUTHENTICATION_BACKENDS = (
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
# The store's mail backend is the store's choice, not the add-on's (docs/quickstart.md:
# mail goes out through the store's own EMAIL_BACKEND), so both stores use the same
# one: Anymail's test backend, as in benchmarks/settings.py. What the add-on adds to
# each message (the consent suppression check on Anymail's pre_send) is still measured.
EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
DEFAULT_FROM_EMAIL = "Shop <shop@example.com>"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("he", "עברית")]
TIME_ZONE = "Asia/Jerusalem"
USE_I18N = True
USE_TZ = True

OSCAR_SHOP_NAME = "Benchmark store"
OSCAR_DEFAULT_CURRENCY = "ILS"
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_INITIAL_ORDER_STATUS = "Pending"
OSCAR_INITIAL_LINE_STATUS = "Pending"
OSCAR_ORDER_STATUS_PIPELINE = {
    "Pending": ("Being processed", "Cancelled"),
    "Being processed": ("Complete", "Cancelled"),
    "Complete": ("Refunded",),
    "Cancelled": (),
    "Refunded": (),
}
OSCAR_LINE_STATUS_PIPELINE = OSCAR_ORDER_STATUS_PIPELINE
OSCAR_THUMBNAILER = "oscar.core.thumbnails.SorlThumbnail"
# The benchmark's guest checks out without an account (in both stores).
OSCAR_ALLOW_ANON_CHECKOUT = True

# Products without images: sorl-thumbnail logs each missing placeholder.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {"sorl.thumbnail": {"level": "CRITICAL"}},
}
