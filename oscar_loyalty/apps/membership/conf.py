"""The membership app's tier settings, mixed into ``app_settings``.

Read them as ``oscar_loyalty.app_settings.TIER_DOWNGRADE_...``; documented
in ``docs/settings.md`` and ``docs/perks.md``.
"""

from __future__ import annotations


class MembershipSettings:
    # ``self._setting`` comes from oscar_loyalty.app_settings.BaseSettings.

    @property
    def TIER_DOWNGRADE_GRACE_DAYS(self) -> int:
        """Days a member keeps a tier after the daily recalculation finds them below it.

        The member is told at once (email and member home) with the date and
        the spend still needed; 0 drops the tier at once, without a notice.
        """
        return self._setting("TIER_DOWNGRADE_GRACE_DAYS", 30)
