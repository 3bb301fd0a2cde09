from django.urls import path
from django.utils.translation import gettext_lazy as _
from oscar.core.application import OscarDashboardConfig

VIEW_MEMBER = ["is_staff", "loyalty_membership.view_member"]
CHANGE_PLAN = ["is_staff", "loyalty_membership.view_plan", "loyalty_membership.change_plan"]
ADD_PLAN = ["is_staff", "loyalty_membership.view_plan", "loyalty_membership.add_plan"]
CHANGE_TIER = ["is_staff", "loyalty_membership.view_tier", "loyalty_membership.change_tier"]
ADD_TIER = ["is_staff", "loyalty_membership.view_tier", "loyalty_membership.add_tier"]


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

    default_permissions = VIEW_MEMBER
    permissions_map = {
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
        return self.post_process_urls(urls)
