"""The member API. Mount it once in the store's URLconf::

    path("api/club/", include("oscar_loyalty.apps.api.urls")),

The schema is then at ``api/club/schema/``, the docs page at ``api/club/docs/``.
"""

from django.apps import apps
from django.urls import path

from . import earn, gifts, join, profile, schema, staff, views

app_name = "loyalty_api"

urlpatterns = [
    path("token/", views.TokenView.as_view(), name="token"),
    path("me/membership/", views.MembershipView.as_view(), name="membership"),
    path("me/card/", views.CardView.as_view(), name="card"),
    path("me/card/qr.svg", views.CardQRView.as_view(image_format="svg"), name="card-qr-svg"),
    path("me/card/qr.png", views.CardQRView.as_view(image_format="png"), name="card-qr-png"),
    path("me/points/", views.PointsView.as_view(), name="points"),
    path("me/points/history/", views.HistoryView.as_view(), name="points-history"),
    path("me/tier/", views.TierView.as_view(), name="tier"),
    path("me/basket/points/", views.BasketPointsView.as_view(), name="basket-points"),
    path("me/profile/", profile.ProfileView.as_view(), name="profile"),
    path("me/basket/earn/", earn.BasketEarnView.as_view(), name="basket-earn"),
    path("me/gifts/", gifts.GiftsView.as_view(), name="gifts"),
    path("plans/", join.PlansView.as_view(), name="plans"),
    path("join/", join.JoinView.as_view(), name="join"),
    path("me/basket/plan/", join.BasketPlanView.as_view(), name="basket-plan"),
    path("staff/members/lookup/", staff.MemberLookupView.as_view(), name="staff-member-lookup"),
    path("schema/", schema.SchemaView.as_view(), name="schema"),
    path("docs/", schema.DocsView.as_view(), name="docs"),
]

# The optional apps' resources, only where the store installs the app.
if apps.is_installed("oscar_loyalty.apps.referrals"):
    from . import referral

    urlpatterns += [path("me/referral/", referral.ReferralView.as_view(), name="referral")]

if apps.is_installed("oscar_loyalty.apps.rewards"):
    from . import rewards

    urlpatterns += [
        path("rewards/", rewards.RewardsView.as_view(), name="rewards"),
        path("rewards/<int:pk>/redeem/", rewards.RedeemView.as_view(), name="rewards-redeem"),
    ]

if apps.is_installed("oscar_loyalty.apps.consent"):
    from . import consent

    urlpatterns += [
        path("me/consent/", consent.ConsentListView.as_view(), name="consent"),
        path(
            "me/consent/<str:purpose>/<str:channel>/",
            consent.ConsentView.as_view(),
            name="consent-choice",
        ),
    ]

if apps.is_installed("oscar_loyalty.apps.privacy"):
    from . import privacy

    urlpatterns += [
        path("me/privacy/export/", privacy.ExportView.as_view(), name="privacy-export"),
        path("me/privacy/erasure/", privacy.ErasureView.as_view(), name="privacy-erasure"),
    ]
