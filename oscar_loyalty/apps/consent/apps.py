from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.fragments import fragment


class ConsentConfig(AppConfig):
    name = "oscar_loyalty.apps.consent"
    label = "loyalty_consent"
    verbose_name = _("Club consent")
    default_auto_field = "django.db.models.BigAutoField"
    # What this app adds to Oscar's pages (oscar_loyalty.fragments).
    loyalty_fragments = {
        "account_tabs": [fragment("oscar_loyalty/consent/fragments/account_tab.html", order=30)],
    }

    def ready(self) -> None:
        from anymail.signals import pre_send, tracking
        from django.contrib.auth import get_user_model
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_save

        from oscar_loyalty import mail

        from . import checks, known, services, tokens  # noqa: F401  (checks register themselves)

        # The core's mail guard asks this app (the core imports no app).
        mail.use_consent(services=services, tokens=tokens)
        from .receivers import drop_suppressed_recipients, on_tracking_event, on_user_saved

        # Answers the club context read for this request only (see ``known``).
        request_started.connect(known.forget, dispatch_uid="oscar_loyalty.consent.known.start")
        request_finished.connect(known.forget, dispatch_uid="oscar_loyalty.consent.known.end")

        tracking.connect(on_tracking_event, dispatch_uid="oscar_loyalty.consent.tracking")
        pre_send.connect(drop_suppressed_recipients, dispatch_uid="oscar_loyalty.consent.pre_send")
        # Email consent is bound to an address: a changed address asks for a new opt-in.
        post_save.connect(
            on_user_saved, sender=get_user_model(), dispatch_uid="oscar_loyalty.consent.address"
        )
