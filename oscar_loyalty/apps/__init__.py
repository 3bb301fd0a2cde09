from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import class_prepared
from django.utils.translation import gettext_lazy as _

SUB_APPS = "oscar_loyalty.apps."


def refuse_models_of_apps_not_installed(sender, **kwargs) -> None:
    """A sub-app's model imported while the sub-app is not installed fails right there.

    Django gives a model the label of the installed app whose module contains
    it. The package itself is an installed app (``"oscar_loyalty"``), so
    without this guard a model of a sub-app the store left out would quietly
    become ``oscar_loyalty.<Model>`` and fail only at its first query ("no
    such table: oscar_loyalty_referral"). The sub-apps' models all live under
    their own labels, so the package's label on a model is always this mistake.
    """
    meta = sender._meta
    if meta.app_label != "oscar_loyalty" or not sender.__module__.startswith(SUB_APPS):
        return
    app = ".".join(sender.__module__.split(".")[:3])
    raise ImproperlyConfigured(
        f"{sender.__module__}.{sender.__name__} was imported, but {app!r} is not in "
        f"INSTALLED_APPS. Install {app}.apps, or leave out the code that imports it "
        "(the traceback shows which)."
    )


# Connected when Django first imports this package, i.e. before any model of
# a sub-app can be imported (every sub-app's module path runs through here).
class_prepared.connect(refuse_models_of_apps_not_installed, dispatch_uid="oscar_loyalty.models")


def requirement_problems(configs) -> list[str]:
    """Each installed sub-app whose ``requires`` names an app that is not installed."""
    installed = {config.name for config in configs}
    return [
        f"{config.name} needs {needed} in INSTALLED_APPS."
        for config in configs
        for needed in getattr(config, "requires", ())
        if needed not in installed
    ]


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

    def import_models(self) -> None:
        # Every app config exists by now and no sub-app's models are imported
        # yet (this app is listed first): a sub-app missing one it needs
        # stops the start-up here, with the name of what to add.
        problems = requirement_problems(list(self.apps.app_configs.values()))
        if problems:
            raise ImproperlyConfigured(" ".join(problems))
        super().import_models()

    def ready(self) -> None:
        from oscar_loyalty import checks, club  # noqa: F401  (registers the checks)

        # Each installed app's fields of the club context (its club_context.py).
        club.autodiscover()
