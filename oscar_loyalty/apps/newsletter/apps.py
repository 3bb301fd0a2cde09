from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    """Newsletters written in Wagtail, sent through the consent-gated outbox.

    The only app of the add-on that imports Wagtail.
    """

    name = "oscar_loyalty.apps.newsletter"
    label = "loyalty_newsletter"
    verbose_name = _("Club newsletters")
    default_auto_field = "django.db.models.BigAutoField"
    # Checked at start-up (``oscar_loyalty.apps.requirement_problems``).
    requires = (
        "oscar_loyalty.apps.membership",
        "oscar_loyalty.apps.segments",
        "oscar_loyalty.apps.consent",
    )

    def ready(self) -> None:
        from anymail.signals import tracking

        from . import checks  # noqa: F401  (checks register themselves)
        from .receivers import on_tracking_event

        tracking.connect(on_tracking_event, dispatch_uid="oscar_loyalty.newsletter.tracking")

        # Member notices by SMS/WhatsApp go through this app's outbox.
        from oscar_loyalty import notices

        from .notices import queue_notice

        notices.use_channel_sender(queue_notice)

        from django.apps import apps
        from django.db.models.signals import post_save

        if apps.is_installed("django_tasks_db"):
            from .receivers import on_task_saved

            post_save.connect(
                on_task_saved,
                sender="django_tasks_database.DBTaskResult",
                dispatch_uid="oscar_loyalty.newsletter.task_claimed",
            )
