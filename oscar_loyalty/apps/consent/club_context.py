"""The consent app's field of the club context (``oscar_loyalty.club``): ``email_blocked``.

Whether the shopper's own address takes no mail at all. For the current
request the answer is also kept by ``consent.known``, sparing the mail guard
a query.
"""

from __future__ import annotations

from django.db.models import Exists

from oscar_loyalty.club import Field, Reading, register

from . import known
from .hashing import email_hash
from .models import Suppression


def bind_email_hash(user) -> dict:
    # An empty hash matches no suppression: a user without an address.
    return {"email_hash": email_hash(user.email) if getattr(user, "email", "") else ""}


def annotate_email_blocked(*, email_hash: str, **arguments):
    return {
        "loyalty_email_blocked": Exists(
            Suppression.objects.filter(email_hash=email_hash, scope=Suppression.ALL)
        )
    }


def read_email_blocked(row, reading: Reading) -> bool:
    blocked = bool(row.loyalty_email_blocked)
    user = reading.user
    if (
        reading.for_request
        and getattr(user, "email", "")
        and getattr(row, "email", None) == user.email
    ):
        known.remember(email_hash(user.email), blocked)
    return blocked


register(
    Field(
        "email_blocked",
        read=read_email_blocked,
        annotate=annotate_email_blocked,
        arguments={"email_hash": str},
        bind=bind_email_hash,
    )
)
