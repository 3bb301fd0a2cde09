"""Settings of the demo store: Oscar + Wagtail + oscar-loyalty.

SQLite by default; PostgreSQL (or any database) when ``DATABASE_URL`` is set.
Mail goes to Anymail's test backend, printed on the console: no ESP account
is needed. Not for production: see ``sandbox/settings_production.py``.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from oscar.defaults import *  # noqa: F403  (Oscar's documented way to get its defaults)

from oscar_loyalty.apps.dashboard.navigation import NAVIGATION as LOYALTY_NAVIGATION

BASE_DIR = Path(__file__).resolve().parent
ROOT_DIR = BASE_DIR.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "sandbox-insecure-secret-key-change-me")
DEBUG = os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=0
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    # First, so that the add-on's few template extensions are found before Oscar's.
    "oscar_loyalty",
    "oscar_loyalty.apps.consent.apps.ConsentConfig",
    "oscar_loyalty.apps.privacy.apps.PrivacyConfig",
    "oscar_loyalty.apps.journey.apps.JourneyConfig",
    "oscar_loyalty.apps.membership.apps.MembershipConfig",
    "oscar_loyalty.apps.newsletter.apps.NewsletterConfig",
    "oscar_loyalty.apps.offers.apps.OffersConfig",
    "oscar_loyalty.apps.points.apps.PointsConfig",
    "oscar_loyalty.apps.partners.apps.PartnersConfig",
    "oscar_loyalty.apps.referrals.apps.ReferralsConfig",
    "oscar_loyalty.apps.reports.apps.ReportsConfig",
    "oscar_loyalty.apps.rewards.apps.RewardsConfig",
    "oscar_loyalty.apps.segments.apps.SegmentsConfig",
    "oscar_loyalty.apps.challenges.apps.ChallengesConfig",
    "oscar_loyalty.apps.api.apps.ApiConfig",
    "oscar_loyalty.apps.webhooks.apps.WebhooksConfig",
    "oscar_loyalty.apps.actions.apps.ActionsConfig",
    "oscar_loyalty.apps.dashboard.apps.LoyaltyDashboardConfig",
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
    "crispy_forms",
    "crispy_bootstrap4",
    "anymail",
    "django_tasks",
    "django_tasks_db",
    # The member API (oscar_loyalty.apps.api): DRF, its tokens, the schema and its docs page.
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Wagtail, beside the store (its admin at /cms/, its pages at /pages/).
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "sandbox.demo",
]

# drf-spectacular's deployment check builds a schema of every DRF view in the URLconf
# with the global schema class; Wagtail's admin API views use DRF's own, so the check
# fails in any store with Wagtail and drf_spectacular installed. The club API passes
# its own schema settings to its own views and its tests validate that schema
# (tests/apps/api/test_problems_and_schema.py), so the global check is switched off.
SPECTACULAR_SETTINGS = {"ENABLE_DJANGO_DEPLOY_CHECK": False}

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
    "oscar_loyalty.apps.journey.middleware.FirstTouchMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# django-oscar-api, when installed (the ``oscarapi`` extra; docs/api.md): its basket and
# checkout at /api/, beside the club API at /api/club/. Its session-header middleware
# stands in for Django's session middleware (the same for every other request): a
# trusted server may name the shopper's session in a ``Session-Id`` header, without
# cookies or CSRF. Its ApiBasketMiddleWare is not used: it would create an anonymous
# basket on every token request to /api/club/ (it counts /api/club/ as its own).
try:
    import oscarapi  # noqa: F401
except ImportError:
    HAS_OSCARAPI = False
else:
    HAS_OSCARAPI = True
    INSTALLED_APPS.append("oscarapi")
    MIDDLEWARE[MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")] = (
        "oscarapi.middleware.HeaderSessionMiddleware"
    )
    # oscarapi's views take DRF's global authentication: the session (with CSRF) as
    # DRF's default, plus the club API's tokens, so one mobile-app token serves both.
    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.SessionAuthentication",
            "rest_framework.authentication.TokenAuthentication",
        ]
    }
    # Shoppers may register through oscarapi (examples/headless_client.py does).
    OSCARAPI_ENABLE_REGISTRATION = True

ROOT_URLCONF = "sandbox.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Oscar's search form everywhere but Wagtail's admin (docs/newsletter.md,
                # "Wagtail beside Oscar"): replaces oscar.apps.search.context_processors.
                "oscar_loyalty.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    }
]

WSGI_APPLICATION = "sandbox.wsgi.application"

AUTHENTICATION_BACKENDS = (
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Whoosh: a pure-Python search index, so the catalogue pages (which Oscar
# serves through haystack) list products without a search server. Products
# are indexed as they are saved; `loyalty_demo_data` builds the index once.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": str(ROOT_DIR / "var" / "whoosh_index"),
        "INCLUDE_SPELLING": True,
    }
}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.RealtimeSignalProcessor"
# The simple engine (used by the tests) searches the database directly; its
# "update" is a no-op.
warnings.filterwarnings("ignore", "update is not implemented", UserWarning)

# Internationalisation: English source strings, Hebrew first-class (right to left).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("he", "עברית")]
# The sandbox store's own strings, and a fix to one of Oscar's Hebrew ones (its
# "be the first to write a review" leaves a link unclosed, which swallows the rest
# of the product page): first in the search order, before every app's catalogue.
LOCALE_PATHS = [BASE_DIR / "demo" / "locale"]
TIME_ZONE = "Asia/Jerusalem"
USE_I18N = True
USE_TZ = True
# Israeli dates in both languages: 06/12/2026, read day first (docs/i18n.md).
FORMAT_MODULE_PATH = ["oscar_loyalty.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = ROOT_DIR / "var" / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = ROOT_DIR / "var" / "media"

# Mail: Anymail's test backend, printed to the console. Swap in a real ESP
# backend (and its ANYMAIL settings) to send for real.
EMAIL_BACKEND = "sandbox.mail.ConsoleTestBackend"
DEFAULT_FROM_EMAIL = "Club <club@example.com>"
ANYMAIL = {
    # Basic auth on Anymail's webhook URLs (https://user:password@host/anymail/<esp>/tracking/).
    "WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", "sandbox:webhook-secret"),
    # The ESP's own signature where it has one (Mailgun shown; see docs/newsletter.md).
    "MAILGUN_WEBHOOK_SIGNING_KEY": os.environ.get("MAILGUN_WEBHOOK_SIGNING_KEY", "sandbox-key"),
}

# SMS and WhatsApp: the add-on's test backend, printed to the console (docs/sms.md
# names the real providers and their settings).
OSCAR_LOYALTY_SMS_BACKEND = {
    "BACKEND": "sandbox.sms.ConsoleTestBackend",
    "OPTIONS": {"channel": "sms"},
}
OSCAR_LOYALTY_WHATSAPP_BACKEND = {
    "BACKEND": "sandbox.sms.ConsoleTestBackend",
    "OPTIONS": {"channel": "whatsapp"},
}

# Background work (django-tasks): the database backend, no broker; run
# ``manage.py db_worker``. Scaling out: docs/newsletter.md (RQ on Redis).
# tests/settings.py runs tasks inline instead.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap4"
CRISPY_TEMPLATE_PACK = "bootstrap4"

# Oscar
OSCAR_SHOP_NAME = "Oscar Loyalty Sandbox"
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
OSCAR_DASHBOARD_NAVIGATION = OSCAR_DASHBOARD_NAVIGATION + [LOYALTY_NAVIGATION]  # noqa: F405
OSCAR_DYNAMIC_CLASS_LOADER = "oscar_loyalty.loading.class_loader"
OSCAR_THUMBNAILER = "oscar.core.thumbnails.SorlThumbnail"

# oscar-loyalty (every setting and its default: docs/settings.md)
OSCAR_LOYALTY_CANCELLED_ORDER_STATUSES = ["Cancelled", "Refunded"]
# §30A: who advertises, shown in the footer of every marketing message.
OSCAR_LOYALTY_SENDER_NAME = "Oscar Loyalty Sandbox Ltd."
OSCAR_LOYALTY_SENDER_ADDRESS = "1 Rothschild Blvd, Tel Aviv"
OSCAR_LOYALTY_SENDER_CONTACT = "club@example.com, +972-3-000-0000"
OSCAR_LOYALTY_SITE_URL = "http://127.0.0.1:8000"
# Erasure waits while an order still needs its delivery address (docs/privacy.md).
OSCAR_LOYALTY_PRIVACY_OPEN_ORDER_STATUSES = ["Pending", "Being processed"]
# The sandbox welcomes a new member by mail (number and gift; docs/membership.md).
OSCAR_LOYALTY_WELCOME_EMAIL = True

# Wagtail
WAGTAIL_SITE_NAME = "Oscar Loyalty Sandbox"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"oscar_loyalty": {"handlers": ["console"], "level": "INFO"}},
}
