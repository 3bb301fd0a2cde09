from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "oscar_loyalty.apps.consent"
    label = "loyalty_consent"
    verbose_name = _("Club consent")
    default_auto_field = "django.db.models.BigAutoField"
