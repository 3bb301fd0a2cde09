from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneyConfig(AppConfig):
    name = "oscar_loyalty.apps.journey"
    label = "loyalty_journey"
    verbose_name = _("Customer journey")
    default_auto_field = "django.db.models.BigAutoField"
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = ("oscar_loyalty.apps.membership",)

    def ready(self) -> None:
        # No receivers: the channel of a web order is recorded by the order task
        # (oscar_loyalty.orders), a step of the club's order event.
        from . import order_steps

        order_steps.register()
