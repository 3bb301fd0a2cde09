from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "oscar_loyalty.apps.membership"
    label = "loyalty_membership"
    verbose_name = _("Club membership")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import order_steps, receivers

        receivers.connect()
        order_steps.register()
