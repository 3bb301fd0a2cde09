"""What this request already knows about an address's suppression: no second query.

The club context (``oscar_loyalty.club``) reads, in its one query per request,
whether the signed-in shopper's own address is suppressed for all mail. Oscar
then sends the order confirmation to that same address in the same request;
the pre-send guard (``receivers.drop_suppressed_recipients`` through
``services.suppressed_hashes``) takes the answer from here instead of asking
the database again.

An answer is kept for one request only: it is forgotten when a request starts
and when it finishes, and it is never trusted after ``MAX_AGE_SECONDS``, so a
worker thread or a long-running request never relies on an old one.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

MAX_AGE_SECONDS = 5.0

# email hash -> (suppressed for all mail, monotonic time it was read)
_known: ContextVar[dict[str, tuple[bool, float]] | None] = ContextVar(
    "oscar_loyalty_known_suppression", default=None
)


def remember(email_hash: str, suppressed: bool) -> None:
    known = dict(_known.get() or {})
    known[email_hash] = (bool(suppressed), time.monotonic())
    _known.set(known)


def recall(email_hash: str) -> bool | None:
    """The answer read in this request (``None``: not known, or too old to trust)."""
    entry = (_known.get() or {}).get(email_hash)
    if entry is None or time.monotonic() - entry[1] > MAX_AGE_SECONDS:
        return None
    return entry[0]


def forget(**kwargs) -> None:
    """Receiver of ``request_started`` and ``request_finished``."""
    _known.set(None)
