"""The core install's URLs (benchmarks/settings_core.py): the stock store's plus the club's."""

from django.apps import apps
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("club/", include("oscar_loyalty.urls")),
    path("dashboard/loyalty/", apps.get_app_config("loyalty_dashboard").urls),
    path("", include(apps.get_app_config("oscar").urls[0])),
]
