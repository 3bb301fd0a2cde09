"""The member prices and gifts settings (welcome, birthday), mixed into ``app_settings``.

Documented in ``docs/settings.md``.
"""

from __future__ import annotations


class OffersSettings:
    # ``self._setting`` comes from oscar_loyalty.app_settings.BaseSettings.

    @property
    def MEMBER_PRICE_HINT(self) -> bool:
        """Show non-members "Members pay X" on product pages."""
        return self._setting("MEMBER_PRICE_HINT", True)

    @property
    def WELCOME_GIFT(self) -> str:
        """What a new member gets: ``"none"``, ``"voucher"`` or ``"points"``."""
        return self._setting("WELCOME_GIFT", "none")

    @property
    def WELCOME_OFFER(self) -> str:
        """Slug of the voucher offer behind the welcome voucher (``WELCOME_GIFT = "voucher"``)."""
        return self._setting("WELCOME_OFFER", "")

    @property
    def WELCOME_EMAIL(self) -> bool:
        """Email a new member their number and welcome gift (a service mail)."""
        return self._setting("WELCOME_EMAIL", False)

    @property
    def WELCOME_VOUCHER_DAYS(self) -> int:
        """Days the welcome voucher stays valid after joining."""
        return self._setting("WELCOME_VOUCHER_DAYS", 30)

    @property
    def WELCOME_POINTS(self) -> int:
        """Bonus points for a new member (``WELCOME_GIFT = "points"``; needs the points app)."""
        return self._setting("WELCOME_POINTS", 0)

    @property
    def BIRTHDAY_OFFER(self) -> str:
        """Slug of the voucher offer behind birthday vouchers; empty: no birthday gifts."""
        return self._setting("BIRTHDAY_OFFER", "")

    @property
    def BIRTHDAY_DAYS_BEFORE(self) -> int:
        """Days before the birthday the voucher becomes valid (and is issued)."""
        return self._setting("BIRTHDAY_DAYS_BEFORE", 0)

    @property
    def BIRTHDAY_DAYS_AFTER(self) -> int:
        """Days after the birthday the voucher stays valid."""
        return self._setting("BIRTHDAY_DAYS_AFTER", 7)

    @property
    def BIRTHDAY_CHANGE_BLOCK_DAYS(self) -> int:
        """A birthday changed within this many days earns no gift that year."""
        return self._setting("BIRTHDAY_CHANGE_BLOCK_DAYS", 60)
