"""Oscar's own test settings with oscar-loyalty installed as the quick start says.

Used by ``oscar_suite/run.sh addon`` from a checkout of django-oscar, where
``tests.settings`` is Oscar's test settings module (not this project's tests).
Wagtail and the newsletter app are left out, as a store without Wagtail would.
"""

from oscar_loyalty.apps.dashboard.navigation import NAVIGATION as LOYALTY_NAVIGATION
from tests.settings import *  # noqa: F403 (Oscar's own test settings)

INSTALLED_APPS = [
    "oscar_loyalty",
    "oscar_loyalty.apps.consent.apps.ConsentConfig",
    "oscar_loyalty.apps.privacy.apps.PrivacyConfig",
    "oscar_loyalty.apps.journey.apps.JourneyConfig",
    "oscar_loyalty.apps.membership.apps.MembershipConfig",
    "oscar_loyalty.apps.offers.apps.OffersConfig",
    "oscar_loyalty.apps.points.apps.PointsConfig",
    "oscar_loyalty.apps.partners.apps.PartnersConfig",
    "oscar_loyalty.apps.referrals.apps.ReferralsConfig",
    "oscar_loyalty.apps.reports.apps.ReportsConfig",
    "oscar_loyalty.apps.segments.apps.SegmentsConfig",
    "oscar_loyalty.apps.challenges.apps.ChallengesConfig",
    "oscar_loyalty.apps.rewards.apps.RewardsConfig",
    "oscar_loyalty.apps.actions.apps.ActionsConfig",
    "oscar_loyalty.apps.dashboard.apps.LoyaltyDashboardConfig",
    *INSTALLED_APPS,  # noqa: F405
    "crispy_forms",
    "crispy_bootstrap4",
    "anymail",
    "django_tasks",
    "django_tasks_db",
]
MIDDLEWARE = [  # noqa: F405
    *MIDDLEWARE,  # noqa: F405
    "oscar_loyalty.apps.journey.middleware.FirstTouchMiddleware",
]
ROOT_URLCONF = "loyalty_urls"

OSCAR_DASHBOARD_NAVIGATION = OSCAR_DASHBOARD_NAVIGATION + [LOYALTY_NAVIGATION]  # noqa: F405
OSCAR_DYNAMIC_CLASS_LOADER = "oscar_loyalty.loading.class_loader"
CRISPY_ALLOWED_TEMPLATE_PACKS = CRISPY_TEMPLATE_PACK = "bootstrap4"
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DEFAULT_FROM_EMAIL = "Club <club@example.com>"
OSCAR_LOYALTY_CANCELLED_ORDER_STATUSES = ["Cancelled"]
OSCAR_LOYALTY_SENDER_NAME = "Oscar's test shop"
OSCAR_LOYALTY_SENDER_ADDRESS = "1 Test St"
OSCAR_LOYALTY_SENDER_CONTACT = "club@example.com"
OSCAR_LOYALTY_SITE_URL = "http://testserver"
