"""Render a newsletter once per campaign and language, with merge fields for the ESP.

Anymail does not unify merge-field syntax, so the placeholder format is
chosen per ESP (``OSCAR_LOYALTY_MERGE_FIELD_FORMAT`` overrides it).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from oscar_loyalty import app_settings
from oscar_loyalty.mail import advertising_subject, sender_details

from .personalise import FIELDS, Personaliser

MERGE_FORMATS = {
    "mailgun": "%recipient.{}%",
    "mailjet": "[[var:{}]]",
    "brevo": "{{{{ params.{} }}}}",
    "sendinblue": "{{{{ params.{} }}}}",
    "sendgrid": "-{}-",
    "sparkpost": "{{{{{}}}}}",
    "mandrill": "*|{}|*",
    "test": "{{{{{}}}}}",
}


def esp_name(connection=None) -> str:
    connection = connection or get_connection()
    return str(getattr(connection, "esp_name", "test")).lower().replace(" ", "_")


def merge_format(esp: str) -> str:
    return app_settings.MERGE_FIELD_FORMAT or MERGE_FORMATS.get(esp, "{{{{{}}}}}")


def batch_size(esp: str) -> int:
    return app_settings.NEWSLETTER_BATCH_SIZE or app_settings.ESP_BATCH_LIMITS.get(esp, 500)


class Placeholders(dict):
    """``M.first_name`` in a template → the ESP's merge field for ``first_name``."""

    def __init__(self, fmt: str, suffix: str = ""):
        super().__init__()
        self.fmt, self.suffix = fmt, suffix

    def __missing__(self, name: str) -> SafeString:
        # Our own format and field name: escaping leaves the placeholder unchanged.
        return conditional_escape(self.fmt.format(name + self.suffix))


def render(newsletter, *, language: str, html_fields, text_fields) -> tuple[str, str, str]:
    """(subject, html, text) of ``newsletter`` in ``language`` with the given field values."""
    with translation.override(language):
        context = {
            "newsletter": newsletter,
            "M": html_fields,
            "T": text_fields,
            "sender": sender_details(),
            "LANGUAGE_CODE": language,
        }
        blocks_html = [child.block.render(child.value, context) for child in newsletter.body]
        blocks_text = [child.block.render_text(child.value, context) for child in newsletter.body]
        html = render_to_string(
            "oscar_loyalty/newsletter/email.html", {**context, "blocks": blocks_html}
        )
        text = render_to_string(
            "oscar_loyalty/newsletter/email.txt", {**context, "blocks": blocks_text}
        )
    return advertising_subject(newsletter.subject), html, text


def render_for_batch(newsletter, *, language: str, esp: str) -> tuple[str, str, str]:
    fmt = merge_format(esp)
    return render(
        newsletter,
        language=language,
        html_fields=Placeholders(fmt),
        text_fields=Placeholders(fmt, "_text"),
    )


def render_for(newsletter, user, *, language: str | None = None, message_ref: str = "preview"):
    """The copy one user would get, with the values filled in here (preview, test send)."""
    from oscar_loyalty.mail import unsubscribe_urls

    member = getattr(user, "loyalty_member", None)
    language = language or (member.language if member else "") or settings.LANGUAGE_CODE
    page_url, _one_click = unsubscribe_urls(user.pk, message=message_ref)
    values = Personaliser([user], language=language).values(user, unsubscribe_url=page_url)
    # HTML values are already escaped (SafeString); the URL is escaped here.
    html_fields = {name: conditional_escape(values[name]) for name in FIELDS}
    text_fields = {name: values[f"{name}_text"] for name in FIELDS}
    return render(newsletter, language=language, html_fields=html_fields, text_fields=text_fields)


def preview(newsletter, *, user) -> tuple[str, str, str]:
    return render_for(newsletter, user, language=newsletter.language)
