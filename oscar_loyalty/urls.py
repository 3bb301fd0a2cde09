"""The shopper-facing URLs. Mount them once in the store's URLconf::

    path("club/", include("oscar_loyalty.urls")),

The dashboard is mounted separately (see ``oscar_loyalty.apps.dashboard``).
"""

from django.apps import apps
from django.urls import include, path

app_name = "loyalty"

# (prefix, sub-app): each sub-app's pages are mounted only when the store
# installs it, so a store can leave out partners, privacy or referrals.
SUB_APPS = [
    ("", "membership"),
    ("points/", "points"),
    ("offers/", "offers"),
    ("rewards/", "rewards"),
    ("preferences/", "consent"),
    ("r/", "referrals"),
    ("challenges/", "challenges"),
    ("privacy/", "privacy"),
    ("partners/api/v1/", "partners"),
    ("sms/", "newsletter"),  # SMS and WhatsApp provider webhooks
]

urlpatterns = [
    path(prefix, include(f"oscar_loyalty.apps.{name}.urls"))
    for prefix, name in SUB_APPS
    if apps.is_installed(f"oscar_loyalty.apps.{name}")
]
if apps.is_installed("oscar_loyalty.apps.newsletter"):
    # Short links in SMS and WhatsApp text: a prefix as short as can be (docs/sms.md).
    urlpatterns.append(path("c/", include("oscar_loyalty.apps.newsletter.link_urls")))
