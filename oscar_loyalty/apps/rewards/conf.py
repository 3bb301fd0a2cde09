"""The rewards catalogue's settings (``OSCAR_LOYALTY_REWARDS_*``), mixed into ``app_settings``.

Documented in ``docs/settings.md`` and ``docs/rewards.md``.
"""

from __future__ import annotations


class RewardsSettings:
    # ``self._setting`` comes from oscar_loyalty.app_settings.BaseSettings.

    @property
    def REWARDS_BASKET_HOLD_HOURS(self) -> int:
        """Hours a basket reward waits in the basket before its points return."""
        return self._setting("REWARDS_BASKET_HOLD_HOURS", 72)
