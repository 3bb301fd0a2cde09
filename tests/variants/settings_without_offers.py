"""The test store without the offers app."""

from tests.variants.base import *  # noqa: F403
from tests.variants.base import without

INSTALLED_APPS, MIDDLEWARE = without("offers", "challenges")
