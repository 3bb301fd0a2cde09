"""Oscar's test URLs with the club's, mounted before Oscar's catch-all as the quick start says."""

import importlib

from django.apps import apps
from django.urls import include, path

# Oscar's guest-checkout tests reload the ROOT_URLCONF module to rebuild the
# checkout URLs under overridden settings (OSCAR_ALLOW_ANON_CHECKOUT decides
# their login decorator when they are built): reload Oscar's test URLconf
# with this one, or its patterns would keep the decorators of the first build.
oscar_test_urls = importlib.reload(importlib.import_module("tests._site.urls"))

urlpatterns = [
    path("club/", include("oscar_loyalty.urls")),
    path("dashboard/loyalty/", apps.get_app_config("loyalty_dashboard").urls),
    path("anymail/", include("anymail.urls")),
    *oscar_test_urls.urlpatterns,
]

handler403 = oscar_test_urls.handler403
handler404 = oscar_test_urls.handler404
handler500 = oscar_test_urls.handler500
