"""Telling staff that an endpoint was paused (email; the dashboard shows it too)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from oscar_loyalty import app_settings

from .models import Endpoint


def staff_addresses() -> list[str]:
    """``MANAGERS`` if the store set them, else its active superusers."""
    managers = [address for _name, address in getattr(settings, "MANAGERS", [])]
    if managers:
        return managers
    users = get_user_model().objects.filter(is_active=True, is_superuser=True).exclude(email="")
    return sorted(users.values_list("email", flat=True))


def send_paused_notice(endpoint_id: int) -> int:
    endpoint = Endpoint.objects.filter(pk=endpoint_id).first()
    recipients = staff_addresses()
    if endpoint is None or not recipients:
        return 0
    subject = _("Webhook endpoint paused: %(name)s") % {"name": endpoint.name}
    body = _(
        "The webhook endpoint %(name)s (%(url)s) failed %(failures)s times in a row and "
        "was paused. Its events wait; none is lost. Fix the receiver, then resume the "
        "endpoint in the dashboard (Customer club > Webhooks).\n\nLast error: %(reason)s"
    ) % {
        "name": endpoint.name,
        "url": endpoint.url,
        "failures": endpoint.consecutive_failures,
        "reason": endpoint.pause_reason,
    }
    from_email = app_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL
    return send_mail(subject, body, from_email, recipients)
