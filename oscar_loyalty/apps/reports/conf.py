"""The reports settings (``OSCAR_LOYALTY_REPORTS_*``), mixed into ``app_settings``.

Documented in ``docs/settings.md`` and ``docs/reports.md``.
"""

from __future__ import annotations


class ReportsSettings:
    # ``self._setting`` comes from oscar_loyalty.app_settings.BaseSettings.

    @property
    def REPORTS_REFRESH_MINUTES(self) -> int | None:
        """Age of the figures after which opening a report queues a refresh; ``None``: never."""
        return self._setting("REPORTS_REFRESH_MINUTES", 60)
