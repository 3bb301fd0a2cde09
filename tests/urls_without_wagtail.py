from django.apps import apps
from django.urls import include, path

urlpatterns = [
    path("club/", include("oscar_loyalty.urls")),
    path("dashboard/loyalty/", apps.get_app_config("loyalty_dashboard").urls),
    path("", include(apps.get_app_config("oscar").urls[0])),
]
