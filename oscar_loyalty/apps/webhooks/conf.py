"""The webhook settings (``OSCAR_LOYALTY_WEBHOOKS_*``), mixed into ``app_settings``.

Documented in ``docs/settings.md`` and ``docs/webhooks.md``.
"""

from __future__ import annotations


class WebhooksSettings:
    # ``self._setting`` comes from oscar_loyalty.app_settings.BaseSettings.

    @property
    def WEBHOOKS_TIMEOUT(self) -> float:
        """Seconds to wait for an endpoint's answer (connect, then read) before it has failed."""
        return float(self._setting("WEBHOOKS_TIMEOUT", 5))

    @property
    def WEBHOOKS_MAX_ATTEMPTS(self) -> int:
        """Attempts per delivery before it is given up (the next event of the member then goes)."""
        return int(self._setting("WEBHOOKS_MAX_ATTEMPTS", 10))

    @property
    def WEBHOOKS_RETRY_SECONDS(self) -> tuple[int, int]:
        """``(first, most)``: the first retry's delay, doubling per attempt up to ``most``."""
        first, most = self._setting("WEBHOOKS_RETRY_SECONDS", (30, 6 * 3600))
        return int(first), int(most)

    @property
    def WEBHOOKS_PAUSE_AFTER(self) -> int:
        """Consecutive failed attempts after which an endpoint is paused and staff are told."""
        return int(self._setting("WEBHOOKS_PAUSE_AFTER", 20))

    @property
    def WEBHOOKS_LEASE_SECONDS(self) -> int:
        """How long a worker holds the deliveries it claimed; a dead worker's go back after it."""
        return int(self._setting("WEBHOOKS_LEASE_SECONDS", 120))

    @property
    def WEBHOOKS_BATCH_SIZE(self) -> int:
        """Deliveries one worker claims at a time for one endpoint."""
        return int(self._setting("WEBHOOKS_BATCH_SIZE", 50))

    @property
    def WEBHOOKS_CONCURRENCY(self) -> int:
        """Requests a worker has in flight at once to one endpoint (each for another member)."""
        return int(self._setting("WEBHOOKS_CONCURRENCY", 4))

    @property
    def WEBHOOKS_ROTATION_HOURS(self) -> int:
        """Hours the previous secret still signs (beside the new one) after a rotation."""
        return int(self._setting("WEBHOOKS_ROTATION_HOURS", 24))
