from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "oscar_loyalty.apps.referrals"
    label = "loyalty_referrals"
    verbose_name = _("Refer a friend")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, order_steps, receivers  # noqa: F401  (checks register themselves)

        receivers.connect()
        order_steps.register()
