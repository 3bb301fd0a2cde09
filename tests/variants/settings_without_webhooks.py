"""The test store without the webhooks app."""

from tests.variants.base import *  # noqa: F403
from tests.variants.base import without

INSTALLED_APPS, MIDDLEWARE = without("webhooks")
