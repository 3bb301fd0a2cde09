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

from typing import Any

PREFIX = "OSCAR_LOYALTY_"


class AppSettings:
    def _setting(self, name: str, default: Any) -> Any:
        from django.conf import settings

        return getattr(settings, PREFIX + name, default)

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


_app_settings = AppSettings()


def __getattr__(name: str) -> Any:
    # PEP 562: ``app_settings.X`` reads the property on each access.
    return getattr(_app_settings, name)
