from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Outbound webhooks: club events, signed (Standard Webhooks), sent by the task queue."""

    name = "oscar_loyalty.apps.webhooks"
    label = "loyalty_webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"
    # Events name members; points, consent and referral events come only from
    # those apps when installed (their signals are the core's).
    requires = ("oscar_loyalty.apps.membership",)

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
