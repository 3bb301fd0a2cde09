"""The actions settings (``OSCAR_LOYALTY_ACTIONS_*``), mixed into ``app_settings``.

Documented in ``docs/settings.md`` and ``docs/actions.md``.
"""

from __future__ import annotations


class ActionsSettings:
    # ``self._setting`` comes from oscar_loyalty.app_settings.BaseSettings.

    @property
    def ACTIONS_PROFILE_FIELDS(self) -> tuple[str, ...]:
        """What a complete profile has: ``Member`` fields, or ``user.<field>`` of the user.

        The default is the name (first and last), the birthday and the city. A store
        whose user model has a phone number adds ``"user.phone"``.
        """
        return tuple(
            self._setting(
                "ACTIONS_PROFILE_FIELDS",
                ("user.first_name", "user.last_name", "birthday", "city"),
            )
        )

    @property
    def ACTIONS_CATCH_UP_DAYS(self) -> int:
        """How far back the daily catch-up looks for actions whose points a crash lost."""
        return self._setting("ACTIONS_CATCH_UP_DAYS", 14)
