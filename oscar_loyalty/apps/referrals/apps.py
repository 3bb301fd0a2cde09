from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.fragments import fragment


class ReferralsConfig(AppConfig):
    name = "oscar_loyalty.apps.referrals"
    label = "loyalty_referrals"
    verbose_name = _("Refer a friend")
    default_auto_field = "django.db.models.BigAutoField"
    # What this app adds to Oscar's pages (oscar_loyalty.fragments).
    loyalty_fragments = {
        "basket": [fragment("oscar_loyalty/referrals/fragments/basket.html", order=20)],
        "account_tabs": [fragment("oscar_loyalty/referrals/fragments/account_tab.html", order=50)],
    }
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = ("oscar_loyalty.apps.membership",)

    def ready(self) -> None:
        from . import checks, order_steps, receivers  # noqa: F401  (checks register themselves)

        receivers.connect()
        order_steps.register()
