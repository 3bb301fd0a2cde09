"""The points settings (``OSCAR_LOYALTY_POINTS_*``), mixed into ``app_settings``.

Read them as ``oscar_loyalty.app_settings.POINTS_...``; documented in
``docs/settings.md`` and ``docs/points.md``.
"""

from __future__ import annotations

from decimal import Decimal


class PointsSettings:
    # ``self._setting`` comes from oscar_loyalty.app_settings.BaseSettings.

    # Points ----------------------------------------------------------------

    @property
    def POINTS_EARNING_POLICY(self) -> str:
        """Dotted path of the earning policy class (see ``apps.points.policies``)."""
        return self._setting(
            "POINTS_EARNING_POLICY", "oscar_loyalty.apps.points.policies.DefaultEarningPolicy"
        )

    @property
    def POINTS_PER_UNIT(self) -> Decimal:
        """Points earned per currency unit paid for products (after discounts)."""
        return Decimal(str(self._setting("POINTS_PER_UNIT", "1")))

    @property
    def POINTS_EARN_ON_TAX(self) -> bool:
        """Whether tax counts towards points (default: prices excluding tax)."""
        return self._setting("POINTS_EARN_ON_TAX", False)

    @property
    def POINTS_EARN_ON_SHIPPING(self) -> bool:
        """Whether the shipping charge earns points too."""
        return self._setting("POINTS_EARN_ON_SHIPPING", False)

    @property
    def POINTS_EXCLUDED_PRODUCT_CLASSES(self) -> tuple[str, ...]:
        """Product class names that earn nothing; default: the membership product class."""
        value = self._setting("POINTS_EXCLUDED_PRODUCT_CLASSES", None)
        if value is None:
            return (self.MEMBERSHIP_PRODUCT_CLASS,)
        return tuple(value)

    @property
    def POINTS_EXCLUDED_CATEGORIES(self) -> tuple[str, ...]:
        """Category slugs whose products earn nothing (gift cards, deposits)."""
        return tuple(self._setting("POINTS_EXCLUDED_CATEGORIES", ()))

    @property
    def POINTS_CATEGORY_MULTIPLIERS(self) -> dict[str, Decimal]:
        """Category slug -> multiplier; a product in several uses the highest."""
        raw = self._setting("POINTS_CATEGORY_MULTIPLIERS", {})
        return {str(k): Decimal(str(v)) for k, v in raw.items()}

    @property
    def POINTS_RANGE_MULTIPLIERS(self) -> dict[str, Decimal]:
        """Oscar range slug -> multiplier; combined with categories, the highest wins."""
        raw = self._setting("POINTS_RANGE_MULTIPLIERS", {})
        return {str(k): Decimal(str(v)) for k, v in raw.items()}

    @property
    def POINTS_ROUNDING(self) -> str:
        """Decimal rounding mode for points earned per line (``ROUND_DOWN``)."""
        return self._setting("POINTS_ROUNDING", "ROUND_DOWN")

    @property
    def POINTS_EARNED_EMAIL(self) -> bool:
        """Email members when earned points become spendable."""
        return self._setting("POINTS_EARNED_EMAIL", True)

    @property
    def POINTS_PENDING_DAYS(self) -> int:
        """Return window: earned points become spendable this many days after the order."""
        return self._setting("POINTS_PENDING_DAYS", 14)

    @property
    def POINTS_MATURE_STATUSES(self) -> tuple[str, ...]:
        """Order statuses that make pending points spendable at once (e.g. "Complete")."""
        return tuple(self._setting("POINTS_MATURE_STATUSES", ()))

    @property
    def POINTS_EXPIRY_MONTHS(self) -> int | None:
        """Months after which earned points expire; ``None``: they never expire."""
        return self._setting("POINTS_EXPIRY_MONTHS", 24)

    @property
    def POINTS_EXPIRY_END_OF_MONTH(self) -> bool:
        """Round each expiry date up to the end of its month."""
        return self._setting("POINTS_EXPIRY_END_OF_MONTH", False)

    @property
    def POINTS_EXPIRY_REMINDER_DAYS(self) -> int:
        """Days before points expire when the reminder email goes out (0: none)."""
        return self._setting("POINTS_EXPIRY_REMINDER_DAYS", 30)

    @property
    def POINTS_BONUSES(self) -> dict[str, int]:
        """Points for each one-off bonus: join, birthday, newsletter, profile."""
        defaults = {"join": 0, "birthday": 0, "newsletter": 0, "profile": 0}
        return {**defaults, **self._setting("POINTS_BONUSES", {})}

    @property
    def POINTS_ALLOW_NEGATIVE_BALANCE(self) -> bool:
        """When a reversal takes more than the balance: negative balance (True) or a debt."""
        return self._setting("POINTS_ALLOW_NEGATIVE_BALANCE", False)

    @property
    def POINTS_VALUE(self) -> Decimal:
        """Money one point is worth when spent (default 0.01: 100 points = 1.00)."""
        return Decimal(str(self._setting("POINTS_VALUE", "0.01")))

    @property
    def POINTS_REDEEM_MIN_POINTS(self) -> int:
        """Fewest points a shopper may apply to one basket."""
        return self._setting("POINTS_REDEEM_MIN_POINTS", 1)

    @property
    def POINTS_REDEEM_MIN_BALANCE(self) -> int:
        """Available balance a member needs before spending any points."""
        return self._setting("POINTS_REDEEM_MIN_BALANCE", 0)

    @property
    def POINTS_REDEEM_MIN_ORDER(self) -> Decimal:
        """Basket total (before points) below which points cannot be spent."""
        return Decimal(str(self._setting("POINTS_REDEEM_MIN_ORDER", "0.00")))

    @property
    def POINTS_REDEEM_MAX_SHARE(self) -> Decimal:
        """Largest share of the basket total points may pay (0-1; 1: all of it)."""
        return Decimal(str(self._setting("POINTS_REDEEM_MAX_SHARE", "1")))

    @property
    def POINTS_RESERVATION_MINUTES(self) -> int:
        """How long applied points stay reserved for a basket before they are released."""
        return self._setting("POINTS_RESERVATION_MINUTES", 60)

    @property
    def POINTS_BATCH_SIZE(self) -> int:
        """Rows per batch for the daily expiry and maturing commands."""
        return self._setting("POINTS_BATCH_SIZE", 500)
