from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "oscar_loyalty.apps.points"
    label = "loyalty_points"
    verbose_name = _("Club points")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, order_steps, receivers  # noqa: F401  (checks register themselves)

        receivers.connect()
        order_steps.register()
