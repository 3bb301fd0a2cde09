"""Privacy and abuse-resistance settings, mixed into ``app_settings``.

Read them as ``oscar_loyalty.app_settings.PRIVACY_...`` / ``RATE_LIMIT_...``;
documented in ``docs/settings.md`` and ``docs/privacy.md``. The rate limits
are read by the apps they protect (consent, points, vouchers) whether or not
the privacy app is installed.
"""

from __future__ import annotations


def _limit(value) -> tuple[int, int]:
    attempts, seconds = value
    return int(attempts), int(seconds)


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

    # Abuse resistance: rate limits, ``(attempts, seconds)`` ----------------

    @property
    def VOUCHER_RATE_LIMIT(self) -> tuple[int, int]:
        """Unknown voucher codes per IP address and per user in the basket."""
        return _limit(self._setting("VOUCHER_RATE_LIMIT", (10, 900)))

    @property
    def POINTS_RATE_LIMIT(self) -> tuple[int, int]:
        """ "Apply points" requests per user (every request counts)."""
        return _limit(self._setting("POINTS_RATE_LIMIT", (30, 600)))

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
