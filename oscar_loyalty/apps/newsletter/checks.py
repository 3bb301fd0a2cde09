"""System checks for the SMS and WhatsApp channels; each message names the exact setting."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register

from oscar_loyalty import app_settings

from .channels import backend_settings, quiet

TEST_BACKEND = "oscar_loyalty.apps.newsletter.channels.test.TestBackend"


def _sends_for_real(config: str | dict) -> bool:
    path = config if isinstance(config, str) else config.get("BACKEND", "")
    return bool(path) and path != TEST_BACKEND


@register(Tags.compatibility)
def check_quiet_holidays(app_configs=None, **kwargs) -> list:
    """Warn when real SMS/WhatsApp may go out on Israel's holidays.

    Without ``QUIET_DATES`` the holidays come from the optional ``holidays`` package;
    missing, they would silently allow advertising.
    """
    if not any(_sends_for_real(config) for config in backend_settings().values()):
        return []
    if app_settings.QUIET_DATES or quiet.holidays_package() is not None:
        return []
    return [
        Warning(
            "Israeli holidays are not quiet: install oscar-loyalty[sms] (holidays) "
            "or set OSCAR_LOYALTY_QUIET_DATES.",
            hint="An SMS or WhatsApp backend is configured, the holidays package is not "
            "installed and OSCAR_LOYALTY_QUIET_DATES is empty, so advertising may go out "
            "on Yom Kippur (docs/sms.md, Quiet hours).",
            id="oscar_loyalty.W_QUIET_HOLIDAYS",
        )
    ]
