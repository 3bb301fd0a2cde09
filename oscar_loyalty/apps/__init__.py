from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OscarLoyaltyConfig(AppConfig):
    """The package itself: templates, static files, translations and system checks.

    It lives in ``oscar_loyalty/apps/__init__.py`` because that package (the
    home of the sub-apps) is what Django imports as ``oscar_loyalty.apps``
    when it looks for the default config of ``"oscar_loyalty"``: a module
    ``oscar_loyalty/apps.py`` beside it would never be loaded.

    It has no models. List it *before* Oscar in ``INSTALLED_APPS`` so that the
    few Oscar templates the add-on extends (the account navigation, the
    registration form) are found here first; each of them extends Oscar's own
    template with ``block.super`` rather than copying it.
    """

    name = "oscar_loyalty"
    label = "oscar_loyalty"
    verbose_name = _("Customer club")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oscar_loyalty import checks  # noqa: F401  (registers the checks)
