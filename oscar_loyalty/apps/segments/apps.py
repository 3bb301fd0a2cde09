from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "oscar_loyalty.apps.segments"
    label = "loyalty_segments"
    verbose_name = _("Member segments")
    default_auto_field = "django.db.models.BigAutoField"
