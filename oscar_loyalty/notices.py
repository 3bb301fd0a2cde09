"""Member notices on the member's channel: email, or SMS/WhatsApp through the outbox.

Points earned, points about to expire, the birthday gift, a prize draw won and
a referral reward are member email types (``mail``). A member who chose SMS
or WhatsApp for them (``Member.notice_channel``) gets them there, as an outbox
row of the newsletter app (the one outbox: claims, leases, crash recovery,
the consent gate at send time); everyone else, and anyone the channel cannot
reach, gets the email. Whether a type advertises is the email's
classification (``OSCAR_LOYALTY_EMAIL_TYPE_CLASSES``): an advertising notice
needs advertising consent on the channel and carries the §30A text
(docs/sms.md, "Member notices").

The newsletter app plugs its outbox in when it is ready (``use_channel_sender``):
a store without it has no SMS and sends every notice by email.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from oscar_loyalty.mail import is_advertising, member_language, send_member_email

logger = logging.getLogger(__name__)

# ``(member, *, notice, channel, text, key, advertising) -> bool``: queued on the channel.
_channel_sender: Callable[..., bool] | None = None


def use_channel_sender(sender: Callable[..., bool] | None) -> None:
    global _channel_sender
    _channel_sender = sender


def render_text(member, *, notice_type: str, context: dict) -> str | None:
    """The notice's SMS text in the member's language, or ``None`` without a template.

    ``oscar_loyalty/sms/<type>.txt``; whitespace is collapsed to single spaces
    (line breaks kept), since every character is paid for.
    """
    context = {"member": member, "user": member.user, **context}
    with translation.override(member_language(member)):
        try:
            text = render_to_string(f"oscar_loyalty/sms/{notice_type}.txt", context)
        except TemplateDoesNotExist:
            return None
    lines = (" ".join(line.split()) for line in text.strip().splitlines())
    return "\n".join(line for line in lines if line)


def send_member_notice(member, *, notice_type: str, context: dict, key: str) -> bool:
    """Send one notice to ``member`` on their channel; ``True`` if sent or queued.

    ``key`` names this notice (``"draw_won:12"``): queuing it again — a retried
    task, a crash between queuing and the caller's own record — is a no-op.
    SMS/WhatsApp falls back to the email when the member has no number, no
    advertising consent on the channel for an advertising type, a suppressed
    number, or the type has no SMS text.
    """
    channel = getattr(member, "notice_channel", "email") or "email"
    if channel != "email" and _channel_sender is not None and member.user_id:
        text = render_text(member, notice_type=notice_type, context=context)
        if text:
            queued = _channel_sender(
                member,
                notice=notice_type,
                channel=channel,
                text=text,
                key=key,
                advertising=is_advertising(notice_type),
            )
            if queued:
                return True
            logger.info("Notice %s to member %s by email: %s unavailable", key, member.pk, channel)
    return send_member_email(member, email_type=notice_type, context=context)
