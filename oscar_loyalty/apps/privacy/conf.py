"""Privacy settings, mixed into ``app_settings``.

Read them as ``oscar_loyalty.app_settings.PRIVACY_...``; documented in
``docs/settings.md`` and ``docs/privacy.md``. The rate limits are the core's
(``app_settings``, next to the limiter), not this app's.
"""

from __future__ import annotations


class PrivacySettings:
    # ``self._setting`` comes from oscar_loyalty.app_settings.BaseSettings.

    # Privacy ---------------------------------------------------------------

    @property
    def PRIVACY_OPEN_ORDER_STATUSES(self) -> tuple[str, ...]:
        """Order statuses that block erasure (the order still needs the address).

        ``None``: Oscar's ``OSCAR_INITIAL_ORDER_STATUS`` only.
        """
        value = self._setting("PRIVACY_OPEN_ORDER_STATUSES", None)
        if value is None:
            from django.conf import settings

            initial = getattr(settings, "OSCAR_INITIAL_ORDER_STATUS", "")
            return (initial,) if initial else ()
        return tuple(value)

    @property
    def PRIVACY_TRACKING_EVENT_DAYS(self) -> int | None:
        """Days email-provider webhook events (the replay guard) are kept; ``None``: forever."""
        return self._setting("PRIVACY_TRACKING_EVENT_DAYS", 90)

    @property
    def PRIVACY_REFERRAL_VISIT_DAYS(self) -> int | None:
        """Days visits through referral share links are kept; ``None``: forever."""
        return self._setting("PRIVACY_REFERRAL_VISIT_DAYS", 365)

    @property
    def PRIVACY_VISIT_DAYS(self) -> int | None:
        """Days visit and first-touch records of visitors who never joined are kept."""
        return self._setting("PRIVACY_VISIT_DAYS", 90)

    @property
    def PRIVACY_NEWSLETTER_EVENT_DAYS(self) -> int | None:
        """Days after sending when a message's open and click times are cleared."""
        return self._setting("PRIVACY_NEWSLETTER_EVENT_DAYS", 180)

    @property
    def PRIVACY_RETENTION_BATCH_SIZE(self) -> int:
        """Rows deleted per statement by ``loyalty_apply_retention``."""
        return self._setting("PRIVACY_RETENTION_BATCH_SIZE", 1000)
