from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "oscar_loyalty.apps.segments"
    label = "loyalty_segments"
    verbose_name = _("Member segments")
    default_auto_field = "django.db.models.BigAutoField"
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = (
        "oscar_loyalty.apps.membership",
        "oscar_loyalty.apps.consent",
    )
