"""The referral settings (``OSCAR_LOYALTY_REFERRALS_*``), mixed into ``app_settings``.

Documented in ``docs/settings.md`` and ``docs/referrals.md``.
"""

from __future__ import annotations


class ReferralsSettings:
    # ``self._setting`` comes from oscar_loyalty.app_settings.BaseSettings.

    @property
    def REFERRALS_CODE_LENGTH(self) -> int:
        """Characters in a member's referral code (from an unambiguous alphabet, 6-32)."""
        return self._setting("REFERRALS_CODE_LENGTH", 8)

    @property
    def REFERRALS_ATTRIBUTION_DAYS(self) -> int:
        """Days a visit through a share link is remembered (signed cookie and session)."""
        return self._setting("REFERRALS_ATTRIBUTION_DAYS", 30)

    @property
    def REFERRALS_FRIEND_REWARD(self) -> str:
        """The new customer's reward: ``"voucher"``, ``"points"`` or ``"none"``."""
        return self._setting("REFERRALS_FRIEND_REWARD", "voucher")

    @property
    def REFERRALS_FRIEND_OFFER(self) -> str:
        """Slug of the voucher offer behind the new customer's single-use voucher."""
        return self._setting("REFERRALS_FRIEND_OFFER", "referral-friend")

    @property
    def REFERRALS_FRIEND_VOUCHER_DAYS(self) -> int:
        """Days the new customer's voucher stays valid."""
        return self._setting("REFERRALS_FRIEND_VOUCHER_DAYS", 30)

    @property
    def REFERRALS_FRIEND_POINTS(self) -> int:
        """Points for the new customer (``FRIEND_REWARD = "points"``), when the order matures."""
        return self._setting("REFERRALS_FRIEND_POINTS", 0)

    @property
    def REFERRALS_REFERRER_REWARD(self) -> str:
        """The referrer's reward: ``"points"``, ``"voucher"`` or ``"none"``."""
        return self._setting("REFERRALS_REFERRER_REWARD", "points")

    @property
    def REFERRALS_REFERRER_POINTS(self) -> int:
        """Points for the referrer when the friend's first order matures."""
        return self._setting("REFERRALS_REFERRER_POINTS", 500)

    @property
    def REFERRALS_REFERRER_OFFER(self) -> str:
        """Slug of the voucher offer behind the referrer's voucher (``"voucher"`` reward)."""
        return self._setting("REFERRALS_REFERRER_OFFER", "")

    @property
    def REFERRALS_MONTHLY_CAP(self) -> int | None:
        """Most referrer rewards per referrer per calendar month; ``None``: no cap."""
        return self._setting("REFERRALS_MONTHLY_CAP", None)

    @property
    def REFERRALS_TOTAL_CAP(self) -> int | None:
        """Most referrer rewards per referrer in total; ``None``: no cap."""
        return self._setting("REFERRALS_TOTAL_CAP", None)

    @property
    def REFERRALS_PAYMENT_FINGERPRINT(self) -> str | None:
        """Dotted path of a function ``order -> str | None`` giving a payment fingerprint."""
        return self._setting("REFERRALS_PAYMENT_FINGERPRINT", None)

    @property
    def REFERRALS_RATE_LIMIT(self) -> tuple[int, int]:
        """``(attempts, seconds)``: code entries allowed per session and per IP address."""
        attempts, seconds = self._setting("REFERRALS_RATE_LIMIT", (10, 3600))
        return int(attempts), int(seconds)
