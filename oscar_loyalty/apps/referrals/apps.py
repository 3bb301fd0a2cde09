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
        "account_gifts": ["oscar_loyalty/referrals/fragments/account_gift.html"],
        "gifts_waiting": [
            fragment("oscar_loyalty/referrals/fragments/gifts_waiting.html", order=20)
        ],
        "ways_to_earn": [
            fragment("oscar_loyalty/referrals/fragments/ways_to_earn.html", order=50)
        ],
    }
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = ("oscar_loyalty.apps.membership",)

    def ready(self) -> None:
        from . import checks, order_steps, receivers  # noqa: F401  (checks register themselves)

        receivers.connect()

        from django.apps import apps

        if apps.is_installed("oscar_loyalty.apps.journey"):
            from oscar_loyalty.apps.journey import middleware

            from .services import stored_code

            # The first touch records the friend's code a visitor arrived with.
            if stored_code not in middleware.REFERRAL_CODE_READERS:
                middleware.REFERRAL_CODE_READERS.append(stored_code)
        order_steps.register()
