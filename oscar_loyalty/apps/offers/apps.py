from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.fragments import fragment


class OffersConfig(AppConfig):
    """Member prices, member-only offers and vouchers, welcome and birthday gifts, prize draws."""

    name = "oscar_loyalty.apps.offers"
    label = "loyalty_offers"
    verbose_name = _("Club offers and prices")
    default_auto_field = "django.db.models.BigAutoField"
    # What this app adds to Oscar's pages (oscar_loyalty.fragments).
    loyalty_fragments = {
        "product": [
            "oscar_loyalty/offers/partials/member_price_hint.html",
            "oscar_loyalty/offers/partials/tier_only_notice.html",
        ],
        "product_list": ["oscar_loyalty/offers/partials/member_price_badge.html"],
        "shipping_methods": ["oscar_loyalty/offers/fragments/shipping_perks.html"],
        "account_tabs": [fragment("oscar_loyalty/offers/fragments/account_tab.html", order=40)],
        "gifts_waiting": [fragment("oscar_loyalty/offers/fragments/gifts_waiting.html", order=10)],
    }
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = (
        "oscar_loyalty.apps.membership",
        "oscar_loyalty.apps.segments",
        "oscar_loyalty.apps.consent",
    )

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (checks register themselves)

        receivers.connect()
