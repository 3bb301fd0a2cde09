"""Settings of the worker processes the SIGKILL tests start: the real database task queue.

The test database comes from ``DATABASE_URL`` (set by the test); every batch
the "ESP" accepts is appended to the file in ``LOYALTY_ESP_LOG``.
"""

from tests.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "tests.apps.newsletter.esp_log.FileLogBackend"
OSCAR_LOYALTY_ESP_BATCH_LIMITS = {"test": 2}
