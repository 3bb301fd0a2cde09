from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.fragments import fragment


class RewardsConfig(AppConfig):
    name = "oscar_loyalty.apps.rewards"
    label = "loyalty_rewards"
    verbose_name = _("Rewards catalogue")
    default_auto_field = "django.db.models.BigAutoField"
    # What this app adds to Oscar's pages (oscar_loyalty.fragments).
    loyalty_fragments = {
        "member_home": [fragment("oscar_loyalty/rewards/fragments/home.html", order=30)],
        "account_tabs": [fragment("oscar_loyalty/rewards/fragments/account_tab.html", order=25)],
    }
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``): rewards
    # are paid with points, by members.
    requires = ("oscar_loyalty.apps.membership", "oscar_loyalty.apps.points")

    def ready(self) -> None:
        from . import order_steps, receivers

        receivers.connect()
        order_steps.register()
