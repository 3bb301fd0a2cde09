"""Which provider events may change suppressions and consent, per email provider.

Anymail normalises events, but its ``bounced`` covers temporary failures for
several providers (an SES ``Transient`` bounce, a SendGrid ``blocked`` bounce,
a Postmark ``SoftBounce``, a legacy Mailgun drop after hours of temporary
failures). Only a *hard* bounce may suppress all mail to an address, and only
a complaint or an unsubscribe may touch marketing: a soft bounce changes
nothing here (the provider retries; a full mailbox is not a dead one, and an
order confirmation must still be sent). The table is in ``docs/consent.md``.
"""

from __future__ import annotations

from collections.abc import Mapping

HARD_BOUNCE = "hard_bounce"
SOFT_BOUNCE = "soft_bounce"
COMPLAINT = "complaint"
UNSUBSCRIBE = "unsubscribe"
IGNORE = ""

#: Postmark bounce ``Type`` values that mean the address does not work.
POSTMARK_HARD = {"HardBounce", "BadEmailAddress", "ManuallyDeactivated"}
#: SparkPost ``bounce_class`` values that are hard (invalid recipient, no RCPT, undeliverable).
SPARKPOST_HARD = {"10", "30", "90"}


def _get(data, *path):
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _first(data, key):
    """A value from a dict or from Django's ``QueryDict`` (legacy form posts)."""
    if hasattr(data, "getlist"):
        values = data.getlist(key)
        return values[0] if values else None
    return data.get(key) if isinstance(data, Mapping) else None


def _mailgun_is_hard(raw) -> bool:
    event_data = _get(raw, "event-data")
    if isinstance(event_data, Mapping):
        # Current webhooks: "failed" with severity permanent or temporary.
        return event_data.get("severity", "permanent") == "permanent"
    # Legacy form webhooks: the SMTP code says it (4xx temporary, 5xx permanent);
    # a drop for reason "old" gave up after temporary failures.
    if _first(raw, "reason") == "old":
        return False
    code = str(_first(raw, "code") or "")
    return not code.startswith("4")


def _is_hard(esp: str, raw) -> bool:
    """For an Anymail ``bounced`` (or rejected-as-bounced) event: is it permanent?"""
    if esp == "amazon ses":
        return _get(raw, "bounce", "bounceType") == "Permanent"
    if esp == "postmark":
        return _get(raw, "Type") in POSTMARK_HARD
    if esp == "sendgrid":
        # "bounce" events carry type "bounce" (hard) or "blocked" (soft); a
        # "dropped" event is SendGrid's own list (an earlier hard bounce).
        return _get(raw, "type") != "blocked"
    if esp == "mailgun":
        return _mailgun_is_hard(raw)
    if esp in ("mandrill", "brevo", "sendinblue"):
        return _get(raw, "event") not in ("soft_bounce",)
    if esp == "mailjet":
        return _get(raw, "event") != "bounce" or bool(_get(raw, "hard_bounce"))
    if esp == "sparkpost":
        event = _get(raw, "msys", "message_event") or _get(raw, "msys", "unsubscribe_event")
        return str(_get(event, "bounce_class") or "") in SPARKPOST_HARD
    if esp == "mailersend":
        return _get(raw, "data", "type") != "soft_bounced"
    if esp == "resend":
        return _get(raw, "data", "bounce", "type") not in ("Transient", "Undetermined")
    # Providers whose Anymail mapping already reports temporary failures as
    # "deferred" (Postal, Unisender Go, Mailtrap) or that we do not know:
    # Anymail's "bounced" is taken as permanent.
    return True


def classify(esp: str, event) -> str:
    """``HARD_BOUNCE``, ``SOFT_BOUNCE``, ``COMPLAINT``, ``UNSUBSCRIBE`` or ``IGNORE``.

    ``event`` is Anymail's ``AnymailTrackingEvent``; ``esp`` its lower-cased provider name.
    """
    event_type = str(event.event_type)
    if event_type == "complained":
        return COMPLAINT
    if event_type == "unsubscribed":
        return UNSUBSCRIBE
    if event_type == "rejected":
        reason = str(event.reject_reason or "")
        if reason == "spam":
            return COMPLAINT
        if reason == "unsubscribed":
            return UNSUBSCRIBE
        if reason not in ("bounced", "invalid"):
            return IGNORE
    elif event_type != "bounced":
        return IGNORE
    return HARD_BOUNCE if _is_hard(esp, event.esp_event) else SOFT_BOUNCE
