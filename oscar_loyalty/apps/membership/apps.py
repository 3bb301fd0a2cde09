from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.fragments import fragment


class MembershipConfig(AppConfig):
    name = "oscar_loyalty.apps.membership"
    label = "loyalty_membership"
    verbose_name = _("Club membership")
    default_auto_field = "django.db.models.BigAutoField"
    # What this app adds to Oscar's pages (oscar_loyalty.fragments).
    loyalty_fragments = {
        "account_tabs": [
            fragment("oscar_loyalty/membership/fragments/account_tabs.html", order=10)
        ],
        "dashboard_customer": [
            fragment("oscar_loyalty/membership/fragments/dashboard_customer.html", order=10)
        ],
    }
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = ("oscar_loyalty.apps.consent",)

    def ready(self) -> None:
        from . import order_steps, receivers

        receivers.connect()
        order_steps.register()
