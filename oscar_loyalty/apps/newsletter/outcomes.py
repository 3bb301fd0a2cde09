"""What an ESP call's outcome does to the outbox rows it carried (see ``sending``).

Split from ``sending`` for size. Rows arrive here in ``sending`` status, after
that status was committed, so every update below is conditional on it: a row
another worker already settled (or an ESP event confirmed) is never changed twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from anymail.exceptions import AnymailAPIError
from anymail.message import AnymailMessage
from django.db import transaction
from django.db.models import Q

from oscar_loyalty import app_settings
from oscar_loyalty.apps.consent.hashing import normalise_email
from oscar_loyalty.lookups import any_of

from .models import OutboxMessage

logger = logging.getLogger("oscar_loyalty.apps.newsletter.sending")


def _is_refusal(exc: AnymailAPIError) -> bool:
    return getattr(exc, "status_code", None) is not None


def _is_transient(exc: AnymailAPIError) -> bool:
    status = exc.status_code
    return status is not None and (status >= 500 or status == 429)


def _describe(exc: Exception) -> str:
    try:
        return str(exc)[:2000]
    except AttributeError:  # Anymail's __str__ needs a response object
        return repr(exc.args)[:2000]


def record_error(rows, token, exc: AnymailAPIError, *, now: datetime) -> dict:
    """An ESP call raised: unconfirmed (no answer), retried later (5xx, 429) or failed."""
    ids = [r.pk for r in rows]
    sending = OutboxMessage.objects.filter(any_of("pk", ids), status=OutboxMessage.SENDING)
    # ``attempts`` was counted when the rows became ``sending``.
    attempts = rows[0].attempts + 1
    if not _is_refusal(exc):
        # The ESP may have the batch: like a crash, the rows stay ``sending``
        # for the ESP's events, then are resent after the lease; on the last
        # attempt they are left to staff rather than sent to an ESP that never answers.
        last = attempts >= app_settings.NEWSLETTER_MAX_ATTEMPTS
        logger.warning(
            "ESP call failed without an answer; %s messages %s",
            len(ids),
            "marked unknown" if last else "await confirmation or the lease",
        )
        sending.update(error=_describe(exc), **({"status": OutboxMessage.UNKNOWN} if last else {}))
        return {"sent": 0, "unconfirmed": len(ids)}
    if _is_transient(exc):
        if attempts < app_settings.NEWSLETTER_MAX_ATTEMPTS:
            delay = app_settings.NEWSLETTER_RETRY_SECONDS * 2 ** (attempts - 1)
            sending.update(
                status=OutboxMessage.PENDING,
                claim_token=None,
                lease_until=None,
                next_attempt_at=now + timedelta(seconds=delay),
                error=_describe(exc),
            )
            return {"sent": 0, "retry": len(ids)}
    sending.update(status=OutboxMessage.FAILED, error=_describe(exc))
    return {"sent": 0, "failed": len(ids)}


def record_statuses(rows, message: AnymailMessage, *, token, handed: bool, now: datetime) -> dict:
    """The ESP answered: each row becomes sent, failed (refused) or skipped (suppressed)."""
    status = getattr(message, "anymail_status", None)
    recipients = status.recipients if status is not None else {}
    # The pre_send guard may have removed addresses, or cancelled the send
    # (then ``send()`` returned 0 and nobody was handed over).
    handed_over = set(message.to) if handed else set()
    # Group rows by outcome and provider message id: a batch usually has one id
    # (or a few), so this is a handful of UPDATEs rather than one per recipient.
    groups: dict[tuple[str, str, str], list[int]] = {}
    for row in rows:
        result = recipients.get(normalise_email(row.user.email))
        message_id = str((result and result.message_id) or "")[:255]
        if normalise_email(row.user.email) not in handed_over:
            key = (OutboxMessage.SKIPPED, "", "suppressed when handed to the email provider")
        elif result is not None and result.status in ("invalid", "rejected", "failed"):
            key = (OutboxMessage.FAILED, message_id, f"refused by the provider: {result.status}")
        else:
            key = (OutboxMessage.SENT, message_id, "")
        groups.setdefault(key, []).append(row.pk)
    # The largest group goes last and is named by the claim token: by then it
    # is all that is still ``sending`` under that token. Usually it is the
    # only group, so the whole batch is settled without a 500-id IN list.
    ordered = sorted(groups.items(), key=lambda group: len(group[1]))
    with transaction.atomic():
        for n, ((status_, message_id, error), ids) in enumerate(ordered, start=1):
            named = Q(claim_token=token) if n == len(ordered) else any_of("pk", ids)
            OutboxMessage.objects.filter(named, status=OutboxMessage.SENDING).update(
                status=status_,
                esp_message_id=message_id,
                error=error,
                sent_at=now if status_ == OutboxMessage.SENT else None,
            )
    count = {
        s: sum(len(ids) for (st, _m, _e), ids in groups.items() if st == s)
        for s in (OutboxMessage.SENT, OutboxMessage.FAILED)
    }
    return {"sent": count[OutboxMessage.SENT], "failed": count[OutboxMessage.FAILED]}
