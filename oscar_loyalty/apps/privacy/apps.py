from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.fragments import fragment


class PrivacyConfig(AppConfig):
    """Data export, erasure and retention for members (GDPR art. 15/17/20, Israeli PPL).

    Every other app describes its own data in its ``privacy.py``; this app
    collects them (``registry``) and runs exports, erasures and retention.
    """

    name = "oscar_loyalty.apps.privacy"
    label = "loyalty_privacy"
    verbose_name = _("Club privacy")
    default_auto_field = "django.db.models.BigAutoField"
    # What this app adds to Oscar's pages (oscar_loyalty.fragments).
    loyalty_fragments = {
        "account_tabs": [fragment("oscar_loyalty/privacy/fragments/account_tab.html", order=60)],
        "dashboard_customer": [
            fragment("oscar_loyalty/privacy/fragments/dashboard_customer.html", order=60)
        ],
    }

    def ready(self) -> None:
        from . import checks, oscar_data, registry  # noqa: F401  (checks register themselves)

        oscar_data.register()
        registry.autodiscover()

        from django.contrib.auth.signals import user_logged_in

        from .sessions import remember_session

        user_logged_in.connect(remember_session, dispatch_uid="oscar_loyalty.privacy.sessions")
