"""``never_raises``: the one guard every signal receiver of the add-on wears.

A receiver runs inside somebody else's work: Oscar placing an order the
customer has paid for, staff changing an order's status, a payment
gateway's callback saving a ``PaymentEvent``. Whatever the receiver meets
(a bug of ours, a malformed event, an amount given as a string) must not
reach that caller. The work a failed receiver skips is idempotent and is
caught up by the daily jobs (``loyalty_daily``); the failure is logged with
its traceback.

Receivers that must raise on purpose say so instead of wearing the guard
(``tests/core/test_receivers.py`` lists every ``on_*`` receiver and checks
one or the other): a price-book bump that must fail its writer's
transaction, a pre-send guard whose ``AnymailCancelSend`` is how Anymail
is told to drop a recipient.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TypeVar

logger = logging.getLogger("oscar_loyalty.receivers")

F = TypeVar("F", bound=Callable[..., object])


def never_raises(receiver: F) -> F:
    """Wrap a signal receiver so that any ``Exception`` is logged, never raised."""

    @functools.wraps(receiver)
    def guarded(*args, **kwargs):
        try:
            return receiver(*args, **kwargs)
        except Exception:  # noqa: BLE001 - the whole point: never break the sender.
            logger.exception(
                "Receiver %s.%s failed; its sender was not interrupted",
                receiver.__module__,
                receiver.__qualname__,
            )
            return None

    guarded.never_raises = True  # type: ignore[attr-defined]
    return guarded  # type: ignore[return-value]


def may_raise(reason: str) -> Callable[[F], F]:
    """Mark a receiver that raises on purpose, saying why (read by the tests)."""

    def mark(receiver: F) -> F:
        receiver.may_raise = reason  # type: ignore[attr-defined]
        return receiver

    return mark
