"""The sandbox configured as a production deployment would be.

``manage.py check --deploy --fail-level WARNING`` passes with it::

    DJANGO_SETTINGS_MODULE=sandbox.settings_production \
    SECRET_KEY=... ALLOWED_HOSTS=shop.example.com ANYMAIL_WEBHOOK_SECRET=user:password \
    python sandbox/manage.py check --deploy --fail-level WARNING

Secrets and hosts come from the environment; a missing or weak one stops the
process at start-up (``ImproperlyConfigured``) instead of running insecurely.
See docs/deployment.md.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from sandbox.settings import *  # noqa: F403


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


DEBUG = False

SECRET_KEY = _required("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
# Rotation: the old key stays valid for signed links (unsubscribe) while listed here.
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]
ALLOWED_HOSTS = [host.strip() for host in _required("ALLOWED_HOSTS").split(",") if host.strip()]
CSRF_TRUSTED_ORIGINS = [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS]

# Suppression hashes must survive a SECRET_KEY rotation: a key of their own.
OSCAR_LOYALTY_EMAIL_HASH_KEY = os.environ.get("EMAIL_HASH_KEY") or SECRET_KEY
OSCAR_LOYALTY_SITE_URL = os.environ.get("SITE_URL", f"https://{ALLOWED_HOSTS[0].lstrip('.')}")
WAGTAILADMIN_BASE_URL = OSCAR_LOYALTY_SITE_URL

# The client's IP address (rate limits, consent evidence, fraud signals): behind exactly
# one reverse proxy that appends to X-Forwarded-For, say so; otherwise REMOTE_ADDR.
if os.environ.get("BEHIND_ONE_PROXY"):
    OSCAR_LOYALTY_CLIENT_IP = "oscar_loyalty.clientip.last_forwarded_for"

# HTTPS only. Behind a TLS-terminating proxy, it must set X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Rate limits (oscar_loyalty.ratelimit) need one cache shared by all servers.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

# Real mail: set EMAIL_BACKEND and the ESP's ANYMAIL settings in the environment.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Basic auth on the ESP webhook URLs: the sandbox's value would be public.
ANYMAIL = {**ANYMAIL, "WEBHOOK_SECRET": _required("ANYMAIL_WEBHOOK_SECRET")}  # noqa: F405
