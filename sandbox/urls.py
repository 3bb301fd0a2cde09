from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("club/", include("oscar_loyalty.urls")),
    # The member API, when the store installs it (docs/api.md).
    *(
        [path("api/club/", include("oscar_loyalty.apps.api.urls"))]
        if apps.is_installed("oscar_loyalty.apps.api")
        else []
    ),
    # django-oscar-api (the ``oscarapi`` extra): products, basket and checkout.
    *([path("api/", include("oscarapi.urls"))] if apps.is_installed("oscarapi") else []),
    path("anymail/", include("anymail.urls")),
    path("dashboard/loyalty/", apps.get_app_config("loyalty_dashboard").urls),
    path("pages/", include(wagtail_urls)),
    path("", include(apps.get_app_config("oscar").urls[0])),
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
