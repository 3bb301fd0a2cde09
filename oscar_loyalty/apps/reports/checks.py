"""System checks for the reports settings; each names the setting."""

from __future__ import annotations

from django.core.checks import Tags, register

from oscar_loyalty import app_settings
from oscar_loyalty.checks import _int_between


@register(Tags.compatibility)
def check_reports_settings(app_configs=None, **kwargs) -> list:
    if app_settings.REPORTS_REFRESH_MINUTES is None:
        return []
    # At least a minute: below it every page view of a busy dashboard queues a refresh.
    return _int_between("REPORTS_REFRESH_MINUTES", 1, 60 * 24 * 7)
