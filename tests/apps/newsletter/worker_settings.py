"""Settings of the worker processes the SIGKILL tests start: the real database task queue.

The test database comes from ``DATABASE_URL`` (set by the test); every batch
the "ESP" accepts is appended to the file in ``LOYALTY_ESP_LOG``, every SMS and
WhatsApp batch to ``LOYALTY_SMS_LOG``.
"""

from tests.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "tests.apps.newsletter.esp_log.FileLogBackend"
OSCAR_LOYALTY_ESP_BATCH_LIMITS = {"test": 2}
# SMS and WhatsApp go to a "provider" that appends each accepted batch to the
# file in ``LOYALTY_SMS_LOG`` (tests/apps/newsletter/sms_log.py), two per batch.
OSCAR_LOYALTY_SMS_BACKEND = {
    "BACKEND": "tests.apps.newsletter.sms_log.FileLogBackend",
    "OPTIONS": {"channel": "sms", "batch_size": 2},
}
OSCAR_LOYALTY_WHATSAPP_BACKEND = {
    "BACKEND": "tests.apps.newsletter.sms_log.FileLogBackend",
    "OPTIONS": {"channel": "whatsapp", "batch_size": 2},
}
# The workers run on the real clock (moved past leases): no quiet hours to wait for.
OSCAR_LOYALTY_QUIET_HOURS = None
OSCAR_LOYALTY_QUIET_SHABBAT = False
OSCAR_LOYALTY_QUIET_DATES = ["2000-01-01"]
