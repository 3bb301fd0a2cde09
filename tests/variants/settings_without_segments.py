"""The test store without the segments app (and the apps that need it)."""

from tests.variants.base import *  # noqa: F403
from tests.variants.base import without

INSTALLED_APPS, MIDDLEWARE = without("segments", "offers", "newsletter", "challenges")
