from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """Coalition partners (a signed HTTP API) and the in-store till page's services.

    Needs the points app: every partner earn and burn is a points ledger entry.
    """

    name = "oscar_loyalty.apps.partners"
    label = "loyalty_partners"
    verbose_name = _("Club partners")
    default_auto_field = "django.db.models.BigAutoField"
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = (
        "oscar_loyalty.apps.membership",
        "oscar_loyalty.apps.points",
        "oscar_loyalty.apps.journey",
    )

    def ready(self) -> None:
        from . import checks  # noqa: F401  (checks register themselves)
