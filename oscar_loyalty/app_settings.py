"""Every ``OSCAR_LOYALTY_*`` setting, with its default and meaning.

Settings are read lazily, each time they are used, never at import time, so
``override_settings`` and pytest-django's ``settings`` fixture work. Use::

    from oscar_loyalty import app_settings
    app_settings.TIER_WINDOW_MONTHS

Wrong values are reported by the system checks in ``oscar_loyalty.checks``,
which name the exact setting. The full list is documented in
``docs/settings.md``; keep the two in step.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from functools import cache
from typing import Any

PREFIX = "OSCAR_LOYALTY_"


def _limit(value) -> tuple[int, int]:
    attempts, seconds = value
    return int(attempts), int(seconds)


class BaseSettings:
    def _setting(self, name: str, default: Any) -> Any:
        from django.conf import settings

        return getattr(settings, PREFIX + name, default)


class CoreSettings(BaseSettings):
    # A sub-app whose settings are many keeps them in its own ``conf.py``
    # (``apps/points/conf.py``: ``class PointsSettings``); they are found by
    # that name (``sections``), never imported here, and read exactly like
    # these: ``app_settings.POINTS_*``.

    # Membership ------------------------------------------------------------

    @property
    def MEMBER_NUMBER_LENGTH(self) -> int:
        """Digits in a member number, the last one a Luhn check digit (8-18)."""
        return self._setting("MEMBER_NUMBER_LENGTH", 10)

    @property
    def MEMBERSHIP_PRODUCT_CLASS(self) -> str:
        """Name of the Oscar product class whose products sell paid plans."""
        return self._setting("MEMBERSHIP_PRODUCT_CLASS", "Club membership")

    @property
    def RENEWAL_REMINDER_DAYS(self) -> int:
        """Days before a paid membership expires when the reminder email goes out."""
        return self._setting("RENEWAL_REMINDER_DAYS", 14)

    # Tiers -----------------------------------------------------------------

    @property
    def TIER_CHANGE_EMAIL(self) -> bool:
        """Email members when their tier changes (up or down; not the first tier on joining)."""
        return self._setting("TIER_CHANGE_EMAIL", True)

    @property
    def TIER_WINDOW_MONTHS(self) -> int:
        """Rolling window, in months, over which qualifying spend is summed."""
        return self._setting("TIER_WINDOW_MONTHS", 12)

    # Orders ----------------------------------------------------------------

    @property
    def CANCELLED_ORDER_STATUSES(self) -> tuple[str, ...]:
        """Oscar order statuses that reverse what an order gave (membership, points).

        Oscar has no built-in "cancelled" status: the names are the store's own
        ``OSCAR_ORDER_STATUS_PIPELINE`` names.
        """
        return tuple(self._setting("CANCELLED_ORDER_STATUSES", ("Cancelled",)))

    @property
    def REFUND_EVENT_TYPES(self) -> tuple[str, ...]:
        """Names of Oscar ``PaymentEventType``s that mean money went back."""
        return tuple(self._setting("REFUND_EVENT_TYPES", ("Refunded", "Refund")))

    # The client's address ----------------------------------------------------

    @property
    def CLIENT_IP(self) -> str:
        """Dotted path of ``request -> str``: the client's IP address (``oscar_loyalty.clientip``).

        The default reads ``REMOTE_ADDR``; behind one trusted proxy use
        ``"oscar_loyalty.clientip.last_forwarded_for"``.
        """
        return self._setting("CLIENT_IP", "oscar_loyalty.clientip.remote_addr")

    # Rate limits, ``(attempts, seconds)``, for ``oscar_loyalty.ratelimit`` ---

    @property
    def VOUCHER_RATE_LIMIT(self) -> tuple[int, int]:
        """Unknown voucher codes per IP address and per user in the basket."""
        return _limit(self._setting("VOUCHER_RATE_LIMIT", (10, 900)))

    @property
    def POINTS_RATE_LIMIT(self) -> tuple[int, int]:
        """ "Apply points" requests per user (every request counts)."""
        return _limit(self._setting("POINTS_RATE_LIMIT", (30, 600)))

    @property
    def API_TOKEN_RATE_LIMIT(self) -> tuple[int, int]:
        """Member API sign-ins for a token per IP address (every request counts)."""
        return _limit(self._setting("API_TOKEN_RATE_LIMIT", (10, 900)))

    @property
    def API_STAFF_LOOKUP_RATE_LIMIT(self) -> tuple[int, int]:
        """Member API staff look-ups per staff user (every request counts)."""
        return _limit(self._setting("API_STAFF_LOOKUP_RATE_LIMIT", (60, 600)))

    @property
    def CONSENT_LINKS_RATE_LIMIT(self) -> tuple[int, int]:
        """Requests per IP address to the login-free unsubscribe and confirmation pages."""
        return _limit(self._setting("CONSENT_LINKS_RATE_LIMIT", (60, 600)))

    @property
    def ONE_CLICK_RATE_LIMIT(self) -> tuple[int, int]:
        """RFC 8058 one-click POSTs per IP address (mailbox providers share a few IPs)."""
        return _limit(self._setting("ONE_CLICK_RATE_LIMIT", (1000, 60)))

    @property
    def ONE_CLICK_PER_LINK_RATE_LIMIT(self) -> tuple[int, int]:
        """RFC 8058 one-click POSTs per unsubscribe link."""
        return _limit(self._setting("ONE_CLICK_PER_LINK_RATE_LIMIT", (10, 3600)))

    # Email -----------------------------------------------------------------

    @property
    def FROM_EMAIL(self) -> str | None:
        """Sender of member emails; ``None`` means ``DEFAULT_FROM_EMAIL``."""
        return self._setting("FROM_EMAIL", None)

    # Consent ---------------------------------------------------------------

    @property
    def CONSENT_WORDING(self) -> dict[str, dict[str, str]]:
        """Overrides of the consent wording, keyed by ``"purpose:channel"``.

        Each value is ``{"version": "...", "text": "..."}``. Change the version
        whenever the text changes: every consent record stores the version and
        the exact text the member saw.
        """
        return self._setting("CONSENT_WORDING", {})

    @property
    def CONSENT_CHANNELS_OFFERED(self) -> tuple[str, ...]:
        """Marketing channels for which the join form offers a consent checkbox."""
        return tuple(self._setting("CONSENT_CHANNELS_OFFERED", ("email", "sms", "whatsapp")))

    @property
    def DOUBLE_OPT_IN(self) -> bool:
        """Marketing email consent from a form stays pending until its confirmation link."""
        return self._setting("DOUBLE_OPT_IN", True)

    @property
    def EMAIL_HASH_KEY(self) -> str:
        """Key of the HMAC that hashes addresses (suppressions); default ``SECRET_KEY``.

        Set it explicitly in production: rotating ``SECRET_KEY`` would otherwise
        orphan every suppression.
        """
        from django.conf import settings

        return self._setting("EMAIL_HASH_KEY", None) or settings.SECRET_KEY

    @property
    def PHONE_REGION(self) -> str:
        """Country (ISO 3166-1) of a phone number entered without a country code."""
        return self._setting("PHONE_REGION", "IL")

    @property
    def SITE_URL(self) -> str | None:
        """Scheme and host for links in emails (``https://shop.example``).

        ``None``: ``https://`` plus the domain of the current ``Site``.
        """
        return self._setting("SITE_URL", None)

    # Marketing email (§30A) ------------------------------------------------

    @property
    def ADVERTISING_SUBJECT_PREFIX(self) -> str:
        """Prefix of every marketing subject (§30A: "פרסומת"); "" turns it off."""
        return self._setting("ADVERTISING_SUBJECT_PREFIX", "פרסומת")

    @property
    def SENDER_NAME(self) -> str:
        """Advertiser's name in the footer of every marketing message."""
        return self._setting("SENDER_NAME", "")

    @property
    def SENDER_ADDRESS(self) -> str:
        """Advertiser's postal address in the marketing footer."""
        return self._setting("SENDER_ADDRESS", "")

    @property
    def SENDER_CONTACT(self) -> str:
        """Advertiser's contact details (phone, email) in the marketing footer."""
        return self._setting("SENDER_CONTACT", "")

    @property
    def EMAIL_TYPE_CLASSES(self) -> dict[str, str]:
        """Each member email type's class: ``"advertising"`` or ``"service"``.

        The store's dict is merged over these defaults, one type at a time.
        A message that urges a purchase ("spend your points before they
        expire", "renew now") is advertising by default (docs/compliance.md);
        a type the store invents and does not list here is advertising too:
        the safe side of §30A is asking for consent.
        """
        defaults = {
            "consent_confirmation": "service",
            "welcome": "service",
            "points_earned": "service",
            "tier_changed": "service",
            "draw_won": "service",
            "birthday": "advertising",
            "referral_reward": "advertising",
            "points_expiring": "advertising",
            "renewal_reminder": "advertising",
            "tier_downgrade_notice": "advertising",
        }
        return {**defaults, **dict(self._setting("EMAIL_TYPE_CLASSES", {}) or {})}

    @property
    def ADVERTISING_EMAIL_TYPES(self) -> tuple[str, ...]:
        """Member email types that advertise: they need marketing consent and get the footer.

        Derived from ``EMAIL_TYPE_CLASSES``; a store that still sets this older
        list explicitly has it honoured as the complete list.
        """
        explicit = self._setting("ADVERTISING_EMAIL_TYPES", None)
        if explicit is not None:
            return tuple(explicit)
        return tuple(t for t, kind in self.EMAIL_TYPE_CLASSES.items() if kind == "advertising")


def sections() -> list[type]:
    """The ``*Settings`` classes of every sub-app's ``conf.py`` (installed or not).

    Found by their module's name, so the core imports no app; a ``conf``
    module holds only settings (no models), so importing one is safe whether
    or not its app is installed, and code that reads another app's setting
    gets its default rather than an ``AttributeError``.
    """
    package = importlib.import_module("oscar_loyalty.apps")
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        name = f"oscar_loyalty.apps.{info.name}.conf"
        if not info.ispkg or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        found += [
            value
            for key, value in vars(module).items()
            if isinstance(value, type)
            and key.endswith("Settings")
            and value.__module__ == module.__name__
        ]
    return found


@cache
def settings_class() -> type:
    """Every setting as one class: the core's and each app's section (``docs/settings.md``)."""
    return type("AppSettings", (*sections(), CoreSettings), {"__module__": __name__})


@cache
def _instance():
    return settings_class()()


def __getattr__(name: str) -> Any:
    # PEP 562: ``app_settings.X`` reads the property on each access.
    if name == "AppSettings":
        return settings_class()
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_instance(), name)
