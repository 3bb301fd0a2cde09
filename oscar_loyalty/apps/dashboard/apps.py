from importlib import import_module

from django.urls import path
from django.utils.translation import gettext_lazy as _
from oscar.core.application import OscarDashboardConfig

from .sections import installed_sections

VIEW_MEMBER = ["is_staff", "loyalty_membership.view_member"]
CHANGE_PLAN = ["is_staff", "loyalty_membership.view_plan", "loyalty_membership.change_plan"]
ADD_PLAN = ["is_staff", "loyalty_membership.view_plan", "loyalty_membership.add_plan"]
CHANGE_TIER = ["is_staff", "loyalty_membership.view_tier", "loyalty_membership.change_tier"]
ADD_TIER = ["is_staff", "loyalty_membership.view_tier", "loyalty_membership.add_tier"]
VIEW_POINTS = ["is_staff", "loyalty_points.view_pointsentry"]
ADJUST_POINTS = ["is_staff", "loyalty_points.view_pointsentry", "loyalty_points.add_pointsentry"]
VIEW_PROMOTION = ["is_staff", "loyalty_points.view_pointspromotion"]
CHANGE_PROMOTION = VIEW_PROMOTION + ["loyalty_points.change_pointspromotion"]
ADD_PROMOTION = VIEW_PROMOTION + ["loyalty_points.add_pointspromotion"]
VIEW_ACTION_RULES = ["is_staff", "loyalty_actions.view_actionrule"]
CHANGE_ACTION_RULE = VIEW_ACTION_RULES + ["loyalty_actions.change_actionrule"]
ADD_ACTION_RULE = VIEW_ACTION_RULES + ["loyalty_actions.add_actionrule"]

MANAGE_OFFERS = ["is_staff", "offer.view_conditionaloffer", "offer.change_conditionaloffer"]
MANAGE_DRAWS = ["is_staff", "loyalty_offers.view_prizedraw", "loyalty_offers.change_prizedraw"]
VIEW_TIER_ONLY = ["is_staff", "loyalty_offers.view_tieronlyrange"]
SET_TIER_ONLY = VIEW_TIER_ONLY + [
    "loyalty_offers.add_tieronlyrange",
    "loyalty_offers.change_tieronlyrange",
]
REMOVE_TIER_ONLY = VIEW_TIER_ONLY + ["loyalty_offers.delete_tieronlyrange"]
VIEW_REFERRALS = ["is_staff", "loyalty_referrals.view_referral"]
REVIEW_REFERRALS = VIEW_REFERRALS + ["loyalty_referrals.change_referral"]
VIEW_REPORTS = ["is_staff", "loyalty_reports.view_dailyfigure"]
VIEW_MEMBER_PRICES = ["is_staff", "loyalty_offers.view_memberprice"]
SET_MEMBER_PRICES = VIEW_MEMBER_PRICES + [
    "loyalty_offers.add_memberprice",
    "loyalty_offers.change_memberprice",
]
# An import may also remove prices (an empty member_price).
IMPORT_MEMBER_PRICES = SET_MEMBER_PRICES + ["loyalty_offers.delete_memberprice"]
REMOVE_MEMBER_PRICE = VIEW_MEMBER_PRICES + ["loyalty_offers.delete_memberprice"]
VIEW_PARTNERS = ["is_staff", "loyalty_partners.view_partner"]
ADD_PARTNER = VIEW_PARTNERS + ["loyalty_partners.add_partner"]
CHANGE_PARTNER = VIEW_PARTNERS + ["loyalty_partners.change_partner"]
USE_TILL = ["is_staff", "loyalty_partners.use_instore_till"]
EXPORT_DATA = ["is_staff", "loyalty_privacy.export_member_data"]
ERASE_DATA = EXPORT_DATA + ["loyalty_privacy.add_erasurerequest"]
VIEW_ERASURES = ["is_staff", "loyalty_privacy.view_erasurerequest"]
VIEW_SEGMENTS = ["is_staff", "loyalty_segments.view_segment"]
ADD_SEGMENT = VIEW_SEGMENTS + ["loyalty_segments.add_segment"]
CHANGE_SEGMENT = VIEW_SEGMENTS + ["loyalty_segments.change_segment"]
DELETE_SEGMENT = VIEW_SEGMENTS + ["loyalty_segments.delete_segment"]
SEGMENT_MEMBERS = VIEW_SEGMENTS + ["loyalty_membership.view_member"]
VIEW_REWARDS = ["is_staff", "loyalty_rewards.view_reward"]
ADD_REWARD = VIEW_REWARDS + ["loyalty_rewards.add_reward"]
CHANGE_REWARD = VIEW_REWARDS + ["loyalty_rewards.change_reward"]
# The secret is shown on the endpoint's page: viewing it is a staff permission of its own.
VIEW_WEBHOOKS = ["is_staff", "loyalty_webhooks.view_endpoint"]
ADD_WEBHOOK = VIEW_WEBHOOKS + ["loyalty_webhooks.add_endpoint"]
CHANGE_WEBHOOK = VIEW_WEBHOOKS + ["loyalty_webhooks.change_endpoint"]


class LoyaltyDashboardConfig(OscarDashboardConfig):
    """The club's pages in Oscar's dashboard.

    Oscar's dashboard hard-codes its own sub-apps, so the store mounts this one
    itself (see the README) and adds ``navigation.NAVIGATION`` to
    ``OSCAR_DASHBOARD_NAVIGATION``. Staff need the model permissions below;
    a staff user without them gets a 403.
    """

    name = "oscar_loyalty.apps.dashboard"
    label = "loyalty_dashboard"
    namespace = "loyalty_dashboard"
    verbose_name = _("Customer club dashboard")
    default_auto_field = "django.db.models.BigAutoField"
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = ("oscar_loyalty.apps.membership",)

    default_permissions = VIEW_MEMBER
    permissions_map = {
        "loyalty-offers-list": MANAGE_OFFERS,
        "loyalty-offers-promotion-state": MANAGE_OFFERS,
        "loyalty-offers-create": MANAGE_OFFERS,
        "loyalty-offers-update": MANAGE_OFFERS,
        "loyalty-offers-draw-create": MANAGE_DRAWS,
        "loyalty-offers-draw-detail": MANAGE_DRAWS,
        "loyalty-offers-draw-update": MANAGE_DRAWS,
        "loyalty-offers-draw-run": MANAGE_DRAWS,
        "loyalty-offers-tier-only-list": VIEW_TIER_ONLY,
        "loyalty-offers-tier-only-create": SET_TIER_ONLY,
        "loyalty-offers-tier-only-update": SET_TIER_ONLY,
        "loyalty-offers-tier-only-remove": REMOVE_TIER_ONLY,
        "loyalty-offers-member-prices": VIEW_MEMBER_PRICES,
        "loyalty-offers-member-prices-export": VIEW_MEMBER_PRICES,
        "loyalty-offers-member-prices-set": SET_MEMBER_PRICES,
        "loyalty-offers-member-prices-import": IMPORT_MEMBER_PRICES,
        "loyalty-offers-member-prices-remove": REMOVE_MEMBER_PRICE,
        "loyalty-member-list": VIEW_MEMBER,
        "loyalty-member-detail": VIEW_MEMBER,
        "loyalty-member-lookup": VIEW_MEMBER,
        "loyalty-plan-list": ["is_staff", "loyalty_membership.view_plan"],
        "loyalty-plan-create": ADD_PLAN,
        "loyalty-plan-update": CHANGE_PLAN,
        "loyalty-plan-toggle": CHANGE_PLAN,
        "loyalty-tier-list": ["is_staff", "loyalty_membership.view_tier"],
        "loyalty-tier-create": ADD_TIER,
        "loyalty-tier-update": CHANGE_TIER,
        "loyalty-tier-toggle": CHANGE_TIER,
        "loyalty-points-member": VIEW_POINTS,
        "loyalty-points-adjust": ADJUST_POINTS,
        "loyalty-points-export": VIEW_POINTS,
        "loyalty-points-promotion-list": VIEW_PROMOTION,
        "loyalty-points-promotion-create": ADD_PROMOTION,
        "loyalty-points-promotion-update": CHANGE_PROMOTION,
        "loyalty-points-promotion-toggle": CHANGE_PROMOTION,
        "loyalty-actions-list": VIEW_ACTION_RULES,
        "loyalty-actions-create": ADD_ACTION_RULE,
        "loyalty-actions-update": CHANGE_ACTION_RULE,
        "loyalty-actions-toggle": CHANGE_ACTION_RULE,
        "loyalty-referrals-list": VIEW_REFERRALS,
        "loyalty-referrals-stats": VIEW_REFERRALS,
        "loyalty-referrals-decide": REVIEW_REFERRALS,
        "loyalty-reports-index": VIEW_REPORTS,
        "loyalty-reports-detail": VIEW_REPORTS,
        "loyalty-partners-list": VIEW_PARTNERS,
        "loyalty-partners-create": ADD_PARTNER,
        "loyalty-partners-update": CHANGE_PARTNER,
        "loyalty-partners-rotate": CHANGE_PARTNER,
        "loyalty-partners-settlement": VIEW_PARTNERS,
        "loyalty-instore": USE_TILL,
        "loyalty-instore-spend": USE_TILL,
        "loyalty-privacy-customer": EXPORT_DATA,
        "loyalty-privacy-export": EXPORT_DATA,
        "loyalty-privacy-erase": ERASE_DATA,
        "loyalty-privacy-erasures": VIEW_ERASURES,
        "loyalty-segment-list": VIEW_SEGMENTS,
        "loyalty-segment-create": ADD_SEGMENT,
        "loyalty-segment-update": CHANGE_SEGMENT,
        "loyalty-segment-count": VIEW_SEGMENTS,
        "loyalty-segment-members": SEGMENT_MEMBERS,
        "loyalty-segment-delete": DELETE_SEGMENT,
        "loyalty-member-timeline": VIEW_MEMBER,
        "loyalty-rewards-list": VIEW_REWARDS,
        "loyalty-rewards-create": ADD_REWARD,
        "loyalty-rewards-update": CHANGE_REWARD,
        "loyalty-rewards-toggle": CHANGE_REWARD,
        "loyalty-webhooks-list": VIEW_WEBHOOKS,
        "loyalty-webhooks-detail": VIEW_WEBHOOKS,
        "loyalty-webhooks-create": ADD_WEBHOOK,
        "loyalty-webhooks-update": CHANGE_WEBHOOK,
        "loyalty-webhooks-rotate": CHANGE_WEBHOOK,
        "loyalty-webhooks-pause": CHANGE_WEBHOOK,
        "loyalty-webhooks-resume": CHANGE_WEBHOOK,
        "loyalty-webhooks-resend": CHANGE_WEBHOOK,
    }

    def get_urls(self):
        from . import views

        urls = [
            path("members/", views.MemberListView.as_view(), name="loyalty-member-list"),
            path(
                "members/lookup/", views.MemberLookupView.as_view(), name="loyalty-member-lookup"
            ),
            path(
                "members/<int:pk>/",
                views.MemberDetailView.as_view(),
                name="loyalty-member-detail",
            ),
            path("plans/", views.PlanListView.as_view(), name="loyalty-plan-list"),
            path("plans/create/", views.PlanCreateView.as_view(), name="loyalty-plan-create"),
            path("plans/<int:pk>/", views.PlanUpdateView.as_view(), name="loyalty-plan-update"),
            path(
                "plans/<int:pk>/toggle/",
                views.PlanToggleView.as_view(),
                name="loyalty-plan-toggle",
            ),
            path("tiers/", views.TierListView.as_view(), name="loyalty-tier-list"),
            path("tiers/create/", views.TierCreateView.as_view(), name="loyalty-tier-create"),
            path("tiers/<int:pk>/", views.TierUpdateView.as_view(), name="loyalty-tier-update"),
            path(
                "tiers/<int:pk>/toggle/",
                views.TierToggleView.as_view(),
                name="loyalty-tier-toggle",
            ),
        ]
        for section in installed_sections():
            urls += import_module(f"{__package__}.{section.views}").get_urls()
        return self.post_process_urls(urls)
