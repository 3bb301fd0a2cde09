from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The member API (``/api/club/`` in the sandbox): docs/api.md.

    Optional like every sub-app. It has no models of its own: mobile apps'
    tokens are Django REST framework's (``rest_framework.authtoken``).
    """

    name = "oscar_loyalty.apps.api"
    label = "loyalty_api"
    verbose_name = _("Club API")
    default_auto_field = "django.db.models.BigAutoField"
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``): the
    # resources read the points and the card; the tokens are authtoken's rows;
    # the docs page's template is drf-spectacular's and its scripts the sidecar's.
    requires = (
        "oscar_loyalty.apps.membership",
        "oscar_loyalty.apps.points",
        "rest_framework",
        "rest_framework.authtoken",
        "drf_spectacular",
        "drf_spectacular_sidecar",
    )
