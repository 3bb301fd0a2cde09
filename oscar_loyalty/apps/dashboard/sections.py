"""The dashboard's sections: each app's pages and menu entries, mounted only when it is installed.

The dashboard is the top layer: it may import every app, but only the
sections of installed apps are loaded, so a store without (say) the referrals
app gets neither its URLs nor its menu entries, and no import of its models.
The membership pages are the dashboard's own (``views.py``) and always there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    app: str  # the sub-app whose pages these are
    views: str  # module of this package with a ``get_urls()``
    menu: tuple[dict, ...] = field(default=())  # entries for the "Customer club" menu


def entry(label, url_name: str) -> dict:
    return {"label": label, "url_name": f"loyalty_dashboard:{url_name}"}


MEMBERSHIP_MENU = (
    entry(_("Members"), "loyalty-member-list"),
    entry(_("Plans"), "loyalty-plan-list"),
    entry(_("Tiers"), "loyalty-tier-list"),
)

# In menu order (after the membership entries).
SECTIONS: list[Section] = [
    Section(
        "oscar_loyalty.apps.segments",
        "segments_views",
        (entry(_("Segments"), "loyalty-segment-list"),),
    ),
    Section(
        "oscar_loyalty.apps.points",
        "points_views",
        (
            entry(_("Points promotions"), "loyalty-points-promotion-list"),
            entry(_("Points ledger (CSV)"), "loyalty-points-export"),
        ),
    ),
    Section(
        "oscar_loyalty.apps.rewards",
        "rewards_views",
        (entry(_("Rewards catalogue"), "loyalty-rewards-list"),),
    ),
    Section(
        "oscar_loyalty.apps.actions",
        "actions_views",
        (entry(_("Points for actions"), "loyalty-actions-list"),),
    ),
    Section(
        "oscar_loyalty.apps.offers",
        "offers_views",
        (entry(_("Club promotions"), "loyalty-offers-list"),),
    ),
    Section(
        "oscar_loyalty.apps.offers",
        "tier_only_views",
        (entry(_("Tier-only products"), "loyalty-offers-tier-only-list"),),
    ),
    Section(
        "oscar_loyalty.apps.offers",
        "member_prices_views",
        (entry(_("Member prices"), "loyalty-offers-member-prices"),),
    ),
    Section(
        "oscar_loyalty.apps.referrals",
        "referrals_views",
        (
            entry(_("Referrals"), "loyalty-referrals-list"),
            entry(_("Referral funnel"), "loyalty-referrals-stats"),
        ),
    ),
    Section(
        "oscar_loyalty.apps.challenges",
        "challenges_views",
        (entry(_("Challenges"), "loyalty-challenges-list"),),
    ),
    Section(
        "oscar_loyalty.apps.reports",
        "reports_views",
        (entry(_("Reports"), "loyalty-reports-index"),),
    ),
    Section(
        "oscar_loyalty.apps.partners",
        "partners_views",
        (
            entry(_("In the shop"), "loyalty-instore"),
            entry(_("Partners"), "loyalty-partners-list"),
        ),
    ),
    Section(
        "oscar_loyalty.apps.privacy",
        "privacy_views",
        (entry(_("Erasures"), "loyalty-privacy-erasures"),),
    ),
    Section("oscar_loyalty.apps.journey", "timeline_views"),
    Section(
        "oscar_loyalty.apps.webhooks",
        "webhooks_views",
        (entry(_("Webhooks"), "loyalty-webhooks-list"),),
    ),
]


def installed_sections() -> list[Section]:
    return [section for section in SECTIONS if apps.is_installed(section.app)]


def menu_entries() -> list[dict]:
    """The "Customer club" menu of this store: membership, then each installed app's entries."""
    entries = list(MEMBERSHIP_MENU)
    for section in installed_sections():
        entries += section.menu
    return entries
