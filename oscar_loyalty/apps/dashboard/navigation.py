"""The club's entry for ``OSCAR_DASHBOARD_NAVIGATION``.

    from oscar.defaults import OSCAR_DASHBOARD_NAVIGATION
    from oscar_loyalty.apps.dashboard.navigation import NAVIGATION as LOYALTY_NAVIGATION
    OSCAR_DASHBOARD_NAVIGATION = OSCAR_DASHBOARD_NAVIGATION + [LOYALTY_NAVIGATION]

Labels are lazy so the menu follows the staff member's language.
"""

from django.utils.translation import gettext_lazy as _

NAVIGATION = {
    "label": _("Customer club"),
    "icon": "fas fa-id-card",
    "children": [
        {"label": _("Members"), "url_name": "loyalty_dashboard:loyalty-member-list"},
        {"label": _("Segments"), "url_name": "loyalty_dashboard:loyalty-segment-list"},
        {"label": _("Plans"), "url_name": "loyalty_dashboard:loyalty-plan-list"},
        {"label": _("Tiers"), "url_name": "loyalty_dashboard:loyalty-tier-list"},
        {
            "label": _("Points promotions"),
            "url_name": "loyalty_dashboard:loyalty-points-promotion-list",
        },
        {"label": _("Points ledger (CSV)"), "url_name": "loyalty_dashboard:loyalty-points-export"},
        {"label": _("Club promotions"), "url_name": "loyalty_dashboard:loyalty-offers-list"},
        {"label": _("Referrals"), "url_name": "loyalty_dashboard:loyalty-referrals-list"},
        {
            "label": _("Referral funnel"),
            "url_name": "loyalty_dashboard:loyalty-referrals-stats",
        },
        {"label": _("Reports"), "url_name": "loyalty_dashboard:loyalty-reports-index"},
        {"label": _("In the shop"), "url_name": "loyalty_dashboard:loyalty-instore"},
        {"label": _("Partners"), "url_name": "loyalty_dashboard:loyalty-partners-list"},
        {"label": _("Erasures"), "url_name": "loyalty_dashboard:loyalty-privacy-erasures"},
    ],
}
