"""Test settings: the sandbox store, made fast and quiet.

SQLite by default; ``DATABASE_URL`` selects another database (CI runs the
suite again on PostgreSQL).
"""

import os

from sandbox.settings import *  # noqa: F403

DEBUG = False
# Tasks run at once, inside the test; tests that need the real worker say so.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# No index files in tests: the simple engine reads the database directly.
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
# The add-on's test backend for SMS and WhatsApp, not the sandbox's printing one
# (tests/sandbox/test_channels.py sends through the sandbox's).
OSCAR_LOYALTY_SMS_BACKEND = "oscar_loyalty.apps.newsletter.channels.test.TestBackend"
OSCAR_LOYALTY_WHATSAPP_BACKEND = OSCAR_LOYALTY_SMS_BACKEND
# The add-on's default, not the sandbox's: tests that count mails see no welcome mail.
OSCAR_LOYALTY_WELCOME_EMAIL = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests never survive a power cut, so commits need not wait for the disk: the
# suite's many commits (transactional tests, real worker processes, kills) run
# without a flush each. A killed *process* loses nothing either way; only an
# operating-system crash could, which no test makes.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA synchronous=OFF;"  # noqa: F405
    # A file, not memory, so that ``pytest --reuse-db`` can skip migrations locally.
    (ROOT_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    # LOYALTY_TEST_DB lets parallel local runs keep separate files.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("LOYALTY_TEST_DB", str(ROOT_DIR / "var" / "test.sqlite3"))  # noqa: F405
    }
