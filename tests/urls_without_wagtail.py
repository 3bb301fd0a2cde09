from django.apps import apps
from django.urls import include, path

urlpatterns = [
    path("club/", include("oscar_loyalty.urls")),
    # The member API, when the store installs it (docs/api.md).
    *(
        [path("api/club/", include("oscar_loyalty.apps.api.urls"))]
        if apps.is_installed("oscar_loyalty.apps.api")
        else []
    ),
    path("dashboard/loyalty/", apps.get_app_config("loyalty_dashboard").urls),
    path("", include(apps.get_app_config("oscar").urls[0])),
]
