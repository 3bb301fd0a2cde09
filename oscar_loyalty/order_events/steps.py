"""The steps each app takes for a club event, in one explicit order.

Modelled on Wagtail's hooks (``wagtail.hooks.register(name, fn, order=)``):
an app registers a function for an event name with an ``order``, and
``dispatch`` runs every registered step of the event, lowest order first
(registration order breaks ties). The core imports no app: each app
registers its own steps from its ``AppConfig.ready()`` (its
``order_steps`` module), and an app that is not installed registers none.

Each step is isolated: one that raises is logged with its traceback and the
next still runs. Inside a transaction (a staff action in ``ATOMIC_REQUESTS``,
a test) each step gets a savepoint, so a database error in one step rolls
back only that step and never leaves the caller's transaction unusable.
Steps are idempotent by the event's ``key`` or by the state they check, so
the daily catch-up can run them again.

The orders the add-on's own apps use (gaps leave room for a store's steps):

=====  ===========================================================
order  step
=====  ===========================================================
10     membership: activate or reverse the memberships the order bought
20     membership: recompute the member's tier (before points are quoted)
30     points: write the debit of the points the order spent (settle)
40     points: record, mature or reverse the order's points
50     referrals: qualify, mature or reverse the referral
60     journey: record the order's channel (web, unless already known)
=====  ===========================================================
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction

from .events import EVENTS, OrderEvent

logger = logging.getLogger("oscar_loyalty.order_events")

Step = Callable[[OrderEvent], object]


@dataclass(frozen=True)
class _Registered:
    order: int
    sequence: int
    step: Step

    @property
    def label(self) -> str:
        name = getattr(self.step, "__qualname__", type(self.step).__qualname__)
        return f"{self.step.__module__}.{name}"


_registry: dict[str, list[_Registered]] = {name: [] for name in EVENTS}
_sequence = 0


def _name(event: str | type[OrderEvent]) -> str:
    name = event if isinstance(event, str) else event.name
    if name not in _registry:
        raise ValueError(f"No club order event is called {name!r}; known: {sorted(_registry)}")
    return name


def register(event: str | type[OrderEvent], fn: Step | None = None, *, order: int = 0):
    """Register ``fn`` as a step of ``event`` (a name or an event class); usable as a decorator.

    Registering the same function again (a module imported twice) replaces it.
    The first registration connects the boundary to Oscar's signals.
    """
    name = _name(event)

    def add(step: Step) -> Step:
        global _sequence
        _sequence += 1
        entry = _Registered(order=order, sequence=_sequence, step=step)
        steps = [e for e in _registry[name] if e.label != entry.label]
        _registry[name] = sorted([*steps, entry], key=lambda e: (e.order, e.sequence))
        from . import receivers

        receivers.connect()
        return step

    return add(fn) if fn is not None else add


def unregister(event: str | type[OrderEvent], fn: Step) -> None:
    name = _name(event)
    _registry[name] = [e for e in _registry[name] if e.step is not fn]


@contextmanager
def registered(event: str | type[OrderEvent], fn: Step, *, order: int = 0) -> Iterator[Step]:
    """Register ``fn`` for the duration of a ``with`` block (for tests)."""
    register(event, fn, order=order)
    try:
        yield fn
    finally:
        unregister(event, fn)


def steps(event: str | type[OrderEvent]) -> list[tuple[int, str]]:
    """``(order, "module.function")`` of the event's steps, in the order they run."""
    return [(e.order, e.label) for e in _registry[_name(event)]]


def dispatch(event: OrderEvent) -> list[str]:
    """Run every step of ``event`` in order; returns the labels of the steps that failed."""
    failed = []
    for entry in list(_registry[event.name]):
        try:
            if transaction.get_connection().in_atomic_block:
                with transaction.atomic():
                    entry.step(event)
            else:
                entry.step(event)
        except Exception:  # noqa: BLE001 - one step's failure never stops the next.
            failed.append(entry.label)
            logger.exception(
                "Step %s of %s failed for order %s", entry.label, event.name, _number(event)
            )
    return failed


def _number(event: OrderEvent) -> str:
    """The order's number for the log, whatever the event carries."""
    try:
        return str(event.order.number)
    except Exception:  # noqa: BLE001 - a log line must not raise.
        return "?"
