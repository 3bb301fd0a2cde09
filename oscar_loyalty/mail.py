"""The one pipeline every member email goes through.

Each email type has three templates a store can override::

    oscar_loyalty/emails/<type>_subject.txt
    oscar_loyalty/emails/<type>_body.txt
    oscar_loyalty/emails/<type>_body.html

They are rendered in the member's language. The pipeline (``send_email``):

1. skips an address on the suppression list for all mail (hard bounces);
2. for the advertising types (``OSCAR_LOYALTY_EMAIL_TYPE_CLASSES``) also requires
   granted marketing email consent and no marketing suppression, prefixes the
   subject (§30A "פרסומת"), adds the advertiser footer with an unsubscribe link
   and the ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers (RFC 8058).

Sending happens after the transaction that caused it has committed, never inside it.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from oscar_loyalty import app_settings

logger = logging.getLogger(__name__)


def member_language(member) -> str:
    return (getattr(member, "language", "") or "") or settings.LANGUAGE_CODE


def absolute_url(path: str) -> str:
    """``path`` on the store's public address (``OSCAR_LOYALTY_SITE_URL`` or the current Site)."""
    base = app_settings.SITE_URL
    if not base:
        from django.contrib.sites.models import Site

        base = f"https://{Site.objects.get_current().domain}"
    return base.rstrip("/") + path


# The consent app plugs itself in here when it is ready (``consent/apps.py``):
# its services decide who may receive what, its tokens sign unsubscribe links.
# Modules, not functions, so that what is looked up is always their current code.
_consent: SimpleNamespace | None = None


def use_consent(*, services, tokens) -> None:
    global _consent
    _consent = SimpleNamespace(services=services, tokens=tokens)


def consent_app() -> SimpleNamespace:
    if _consent is None:
        raise ImproperlyConfigured(
            "Member email needs the consent app (oscar_loyalty.apps.consent) in "
            "INSTALLED_APPS: it decides who may receive what."
        )
    return _consent


def unsubscribe_url_maker():
    """A function ``(user_id, message) -> (page URL, one-click URL)``.

    URLs are reversed and the site address looked up once, not per recipient.
    """
    unsubscribe_token_maker = consent_app().tokens.unsubscribe_token_maker

    marker = "TOKEN"
    page = absolute_url(reverse("loyalty:unsubscribe", args=[marker]))
    one_click = absolute_url(reverse("loyalty:unsubscribe-one-click", args=[marker]))

    make_token = unsubscribe_token_maker()

    def make(user_id: int, message: str) -> tuple[str, str]:
        token = make_token(user_id, message)
        return page.replace(marker, token), one_click.replace(marker, token)

    return make


def unsubscribe_urls(user_id: int, *, message: str) -> tuple[str, str]:
    """(page URL, RFC 8058 one-click URL) for one recipient of one message."""
    return unsubscribe_url_maker()(user_id, message)


def list_unsubscribe_headers(page_url: str, one_click_url: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{one_click_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def advertising_subject(subject: str) -> str:
    """§30A: "פרסומת" at the start of every advertising subject (unless turned off)."""
    prefix = app_settings.ADVERTISING_SUBJECT_PREFIX
    if prefix and not subject.startswith(prefix):
        return f"{prefix} | {subject}"
    return subject


def sender_details() -> dict[str, str]:
    return {
        "name": app_settings.SENDER_NAME,
        "address": app_settings.SENDER_ADDRESS,
        "contact": app_settings.SENDER_CONTACT,
    }


def is_advertising(email_type: str) -> bool:
    """Whether ``email_type`` advertises (``OSCAR_LOYALTY_EMAIL_TYPE_CLASSES``).

    A type nobody classified is advertising: asking for consent is the safe side.
    """
    if app_settings._setting("ADVERTISING_EMAIL_TYPES", None) is not None:
        return email_type in app_settings.ADVERTISING_EMAIL_TYPES  # the older, complete list
    return app_settings.EMAIL_TYPE_CLASSES.get(email_type, "advertising") != "service"


def build_member_email(
    member, *, email_type: str, context: dict, user=None
) -> EmailMultiAlternatives:
    user = user if user is not None else member.user
    advertising = is_advertising(email_type)
    context = {"member": member, "user": user, **context, "advertising": advertising}
    if advertising:
        page_url, one_click_url = unsubscribe_urls(user.pk, message=f"email:{email_type}")
        context.update(unsubscribe_url=page_url, sender=sender_details())
    prefix = f"oscar_loyalty/emails/{email_type}"
    with translation.override(member_language(member)):
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        text = render_to_string(f"{prefix}_body.txt", context)
        html = render_to_string(f"{prefix}_body.html", context)
        if advertising:
            subject = advertising_subject(subject)
            text += render_to_string("oscar_loyalty/emails/advertising_footer.txt", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=app_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    if advertising:
        message.extra_headers.update(list_unsubscribe_headers(page_url, one_click_url))
    # Anymail reads these; other backends ignore them.
    message.tags = [f"loyalty-{email_type}"]
    message.metadata = {
        "member": getattr(member, "number", "") or "",
        "email_type": email_type,
        "message": f"email:{email_type}",
    }
    return message


def may_send(user, *, email_type: str) -> bool:
    """Whether ``user`` may get this type now: suppressions always, consent for advertising."""
    consent = consent_app().services

    if user is None or not user.email:
        return False
    advertising = is_advertising(email_type)
    if consent.is_suppressed(user.email, marketing=advertising):
        return False
    if advertising and not consent.has_consent(user, purpose="marketing", channel="email"):
        return False
    return True


def send_email(user, *, email_type: str, context: dict, member=None) -> bool:
    """Send one email of ``email_type`` to ``user``.

    Returns whether it was handed to the backend (``False``: suppressed or no consent).
    """
    if member is None:
        member = getattr(user, "loyalty_member", None) if user is not None else None
    if not may_send(user, email_type=email_type):
        logger.info(
            "Not sending %s to user %s: suppressed or no consent", email_type, user and user.pk
        )
        return False
    message = build_member_email(member, email_type=email_type, context=context, user=user)
    message.send()
    return True


def send_member_email(member, *, email_type: str, context: dict) -> bool:
    """Send one email to a member (the signature the membership and points apps use)."""
    if member.user is None or not member.user.email:
        return False
    return send_email(member.user, email_type=email_type, context=context, member=member)
