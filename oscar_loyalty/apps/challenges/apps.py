from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.fragments import fragment


class ChallengesConfig(AppConfig):
    name = "oscar_loyalty.apps.challenges"
    label = "loyalty_challenges"
    verbose_name = _("Club challenges")
    default_auto_field = "django.db.models.BigAutoField"
    # What this app adds to Oscar's pages (oscar_loyalty.fragments).
    loyalty_fragments = {
        # After the points figures (order 10).
        "member_home": [fragment("oscar_loyalty/challenges/fragments/home.html", order=20)],
        "account_tabs": [
            fragment("oscar_loyalty/challenges/fragments/account_tab.html", order=27)
        ],
    }
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``): rewards are
    # points (points), vouchers on a voucher offer and entries in a prize draw
    # (offers), and a challenge may be limited to a segment (segments).
    requires = (
        "oscar_loyalty.apps.membership",
        "oscar_loyalty.apps.points",
        "oscar_loyalty.apps.offers",
        "oscar_loyalty.apps.segments",
    )

    def ready(self) -> None:
        from . import order_steps, receivers

        receivers.connect()
        order_steps.register()

        from oscar_loyalty.apps.offers import draws

        from .services import draw_tickets

        # A challenge's draw entries count in the offers app's draws.
        if draw_tickets not in draws.TICKET_SOURCES:
            draws.TICKET_SOURCES.append(draw_tickets)
