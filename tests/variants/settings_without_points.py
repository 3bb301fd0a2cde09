"""The test store without the points app (and the apps that need it)."""

from tests.variants.base import *  # noqa: F403
from tests.variants.base import without

INSTALLED_APPS, MIDDLEWARE = without(
    "points", "partners", "reports", "api", "challenges", "actions", "rewards"
)
# The referrer's reward defaults to points: a store without them picks another.
OSCAR_LOYALTY_REFERRALS_REFERRER_REWARD = "none"
