from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    """Member prices, member-only offers and vouchers, welcome and birthday gifts, prize draws."""

    name = "oscar_loyalty.apps.offers"
    label = "loyalty_offers"
    verbose_name = _("Club offers and prices")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (checks register themselves)

        receivers.connect()
