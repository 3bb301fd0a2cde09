from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    """Points for actions other than buying: reviews, the newsletter, the profile, anniversaries
    and the store's own actions (``services.record_action``)."""

    name = "oscar_loyalty.apps.actions"
    label = "loyalty_actions"
    verbose_name = _("Points for actions")
    default_auto_field = "django.db.models.BigAutoField"
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = ("oscar_loyalty.apps.membership", "oscar_loyalty.apps.points")

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (checks register themselves)

        receivers.connect()
