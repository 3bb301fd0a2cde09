from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "oscar_loyalty.apps.reports"
    label = "loyalty_reports"
    verbose_name = _("Customer club reports")
    default_auto_field = "django.db.models.BigAutoField"
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = (
        "oscar_loyalty.apps.membership",
        "oscar_loyalty.apps.points",
    )

    def ready(self) -> None:
        from . import checks  # noqa: F401  (checks register themselves)
