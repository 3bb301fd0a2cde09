"""The partner and in-store settings (``OSCAR_LOYALTY_PARTNERS_*``, ``OSCAR_LOYALTY_INSTORE_*``).

Mixed into ``oscar_loyalty.app_settings``; documented in ``docs/settings.md``
and ``docs/partners.md``.
"""

from __future__ import annotations


class PartnersSettings:
    # ``self._setting`` comes from oscar_loyalty.app_settings.BaseSettings.

    # Partners (coalition) --------------------------------------------------

    @property
    def PARTNERS_TIMESTAMP_TOLERANCE(self) -> int:
        """Seconds a signed partner request may be early or late before it is refused."""
        return self._setting("PARTNERS_TIMESTAMP_TOLERANCE", 300)

    @property
    def PARTNERS_RATE_LIMIT(self) -> tuple[int, int]:
        """``(requests, seconds)``: signed requests allowed per partner."""
        requests, seconds = self._setting("PARTNERS_RATE_LIMIT", (600, 60))
        return int(requests), int(seconds)

    @property
    def PARTNERS_AUTH_FAILURE_LIMIT(self) -> tuple[int, int]:
        """``(failures, seconds)``: badly signed requests allowed per IP address."""
        failures, seconds = self._setting("PARTNERS_AUTH_FAILURE_LIMIT", (20, 300))
        return int(failures), int(seconds)

    @property
    def PARTNERS_SECRET_KEY(self) -> str:
        """Key partner secrets are derived from; default ``SECRET_KEY``.

        Set it explicitly in production: rotating ``SECRET_KEY`` would
        otherwise change every partner's secret.
        """
        from django.conf import settings

        return self._setting("PARTNERS_SECRET_KEY", None) or settings.SECRET_KEY

    # In the shop -----------------------------------------------------------

    @property
    def INSTORE_ORDER_NUMBER_PREFIX(self) -> str:
        """Prefix of the Oscar order number of an in-store purchase (then the receipt)."""
        return self._setting("INSTORE_ORDER_NUMBER_PREFIX", "IS-")

    @property
    def INSTORE_ORDER_STATUS(self) -> str | None:
        """Status of in-store orders; ``None``: ``OSCAR_INITIAL_ORDER_STATUS``."""
        return self._setting("INSTORE_ORDER_STATUS", None)
