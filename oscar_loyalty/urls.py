"""The shopper-facing URLs. Mount them once in the store's URLconf::

    path("club/", include("oscar_loyalty.urls")),

The dashboard is mounted separately (see ``oscar_loyalty.apps.dashboard``).
"""

from django.urls import include, path

app_name = "loyalty"

urlpatterns = [
    path("", include("oscar_loyalty.apps.membership.urls")),
    path("points/", include("oscar_loyalty.apps.points.urls")),
    path("offers/", include("oscar_loyalty.apps.offers.urls")),
    path("preferences/", include("oscar_loyalty.apps.consent.urls")),
    path("r/", include("oscar_loyalty.apps.referrals.urls")),
]
