"""Member emails rendered from overridable templates and sent through Django's backend.

Each email type has three templates a store can override::

    oscar_loyalty/emails/<type>_subject.txt
    oscar_loyalty/emails/<type>_body.txt
    oscar_loyalty/emails/<type>_body.html

They are rendered in the member's language. Sending happens after the
transaction that caused it has committed, never inside it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from oscar_loyalty import app_settings

logger = logging.getLogger(__name__)


def member_language(member) -> str:
    return member.language or settings.LANGUAGE_CODE


def build_member_email(member, *, email_type: str, context: dict) -> EmailMultiAlternatives:
    context = {"member": member, "user": member.user, **context}
    prefix = f"oscar_loyalty/emails/{email_type}"
    with translation.override(member_language(member)):
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        text = render_to_string(f"{prefix}_body.txt", context)
        html = render_to_string(f"{prefix}_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=app_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        to=[member.user.email],
    )
    message.attach_alternative(html, "text/html")
    # Anymail reads these; other backends ignore them.
    message.tags = [f"loyalty-{email_type}"]
    message.metadata = {"member": member.number, "email_type": email_type}
    return message


def send_member_email(member, *, email_type: str, context: dict) -> bool:
    """Send one transactional email to a member. Returns whether it was handed to the backend."""
    if member.user is None or not member.user.email:
        return False
    message = build_member_email(member, email_type=email_type, context=context)
    message.send()
    return True
