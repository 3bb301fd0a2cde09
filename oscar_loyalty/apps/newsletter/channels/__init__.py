"""SMS and WhatsApp: the backend layer the outbox hands those rows to (docs/sms.md).

``get_backend(channel)`` builds the backend named in
``OSCAR_LOYALTY_SMS_BACKEND`` or ``OSCAR_LOYALTY_WHATSAPP_BACKEND``: a dotted path,
or a dict ``{"BACKEND": path, "OPTIONS": {...}}`` whose options become the
backend's attributes (account ids, tokens, sender name).
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from .base import BaseBackend, ChannelAPIError, ChannelMessage, RecipientStatus

__all__ = ["BaseBackend", "ChannelAPIError", "ChannelMessage", "RecipientStatus", "get_backend"]


def backend_settings() -> dict:
    """``{channel: setting}``: ``SMS_BACKEND`` and ``WHATSAPP_BACKEND``."""
    from oscar_loyalty import app_settings

    return {"sms": app_settings.SMS_BACKEND, "whatsapp": app_settings.WHATSAPP_BACKEND}


def get_backend(channel: str) -> BaseBackend:
    config = backend_settings()[channel]
    if isinstance(config, str):
        config = {"BACKEND": config}
    backend_class = import_string(config["BACKEND"])
    return backend_class(**config.get("OPTIONS", {}))
