"""The test store without the actions app (points for reviews, profile, anniversaries...)."""

from tests.variants.base import *  # noqa: F403
from tests.variants.base import without

INSTALLED_APPS, MIDDLEWARE = without("actions")
