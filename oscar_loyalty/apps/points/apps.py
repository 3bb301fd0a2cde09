from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.fragments import fragment


class PointsConfig(AppConfig):
    name = "oscar_loyalty.apps.points"
    label = "loyalty_points"
    verbose_name = _("Club points")
    default_auto_field = "django.db.models.BigAutoField"
    # What this app adds to Oscar's pages (oscar_loyalty.fragments).
    loyalty_fragments = {
        "basket": [fragment("oscar_loyalty/points/fragments/basket.html", order=10)],
        "preview": ["oscar_loyalty/points/fragments/preview.html"],
        # After the member price (offers, order 50).
        "product": [fragment("oscar_loyalty/points/partials/earn_hint.html", order=60)],
        "product_list": [fragment("oscar_loyalty/points/partials/earn_hint.html", order=60)],
        "thank_you": ["oscar_loyalty/points/fragments/order.html"],
        "order": ["oscar_loyalty/points/fragments/order.html"],
        "account_tabs": [fragment("oscar_loyalty/points/fragments/account_tab.html", order=20)],
        "member_home": [fragment("oscar_loyalty/points/fragments/home.html", order=10)],
        "ways_to_earn": [fragment("oscar_loyalty/points/fragments/ways_to_earn.html", order=10)],
    }
    # Oscar's totals on the thank-you page read the place-order receipt (receipt.py).
    loyalty_totals_order = "oscar_loyalty.apps.points.receipt.order_for_totals"
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = ("oscar_loyalty.apps.membership",)

    def ready(self) -> None:
        from . import checks, order_steps, receivers  # noqa: F401  (checks register themselves)

        receivers.connect()
        order_steps.register()
