"""The shopper's club context: what every page needs about a signed-in shopper, in one query.

Oscar builds one pricing strategy per request (the basket middleware asks the
``Selector``); the club's selector loads this context then and hangs it on
the strategy, which Oscar copies onto the request's basket. Everything else
on the page reads it from there instead of asking the database again.

The core knows no app: the context is a plain value (``ClubContext``) whose
fields the installed apps contribute. Each app's ``club_context.py`` (found
by ``autodiscover``, run by the package's ``AppConfig.ready``) registers
``Field``s: the annotations and ``select_related`` paths it adds to the one
query on the user table, and how to read its value back from the row. The
membership app contributes the member, points the balance, reservation and
running promotion, referrals whether the friend's-code box applies, offers
the price book's version, consent whether the shopper's address takes mail.
A store adds its own field the same way (docs/extending.md).

The context lives as long as the strategy, i.e. one request. Code outside a
request (tasks, the admin, tests calling services) never sees it and reads
the database as before. Anything that changes points or money re-reads the
rows it changes under a lock; the context only serves display and offer
conditions, which Oscar re-evaluates on every request anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from oscar_loyalty.prepared import PreparedQuery

# The argument every context query takes. Fields declare the others they use
# (``PreparedQuery`` needs each to be a parameter); ``now`` is always given.
ARGUMENTS: dict[str, type] = {"user_pk": int}


@dataclass(frozen=True)
class Reading:
    """What a field's ``read`` gets besides the row."""

    user: Any
    now: datetime
    for_request: bool  # the context serves the current request (may remember per-request facts)


@dataclass(frozen=True)
class Field:
    """One value of the club context, contributed by an installed app.

    ``annotate(**arguments)`` returns the annotations to add to the query on
    the user table (correlate with ``OuterRef("pk")``, the user); it must not
    change the query's shape with the arguments' values (``PreparedQuery``).
    ``read(row, reading)`` turns the row (a user with the annotations and the
    ``select_related`` objects) into the field's value. ``arguments`` are
    extra query arguments (name: type), their values given by ``bind(user)``.
    """

    name: str
    read: Callable[[Any, Reading], Any]
    annotate: Callable[..., Mapping[str, Any]] | None = None
    select_related: tuple[str, ...] = ()
    arguments: Mapping[str, type] = field(default_factory=dict)
    bind: Callable[[Any], Mapping[str, Any]] | None = None


_fields: dict[str, Field] = {}


def register(*fields: Field) -> None:
    """Add fields to the context (an app's ``club_context.py`` calls this at import)."""
    for item in fields:
        if item.name in ("user_id", "loaded_at", "fields"):
            raise ValueError(f"{item.name!r} is the context's own attribute.")
        _fields[item.name] = item
    _context_query.cache_clear()


def unregister(name: str) -> None:
    """Remove a field (a store replacing an app's field, or a test)."""
    _fields.pop(name, None)
    _context_query.cache_clear()


def registered() -> tuple[Field, ...]:
    return tuple(_fields.values())


def autodiscover() -> None:
    """Import every installed app's ``club_context`` module, which registers its fields."""
    autodiscover_modules("club_context")


@dataclass(frozen=True)
class ClubContext:
    """A plain value: the user, when it was read, and each contributed field by name.

    ``context.member``, ``context.reserved``...: a field no installed app
    contributes is an ``AttributeError`` naming it.
    """

    user_id: int
    loaded_at: datetime
    fields: Mapping[str, Any]

    def __getattr__(self, name: str) -> Any:
        # Only called for names that are not the dataclass's own attributes.
        values = self.__dict__.get("fields", {})
        if name in values:
            return values[name]
        raise AttributeError(f"The club context has no field {name!r}: no installed app gives it.")

    def __contains__(self, name: str) -> bool:
        return name in self.fields


def _context_queryset(fields: tuple[Field, ...], **arguments):
    """The context's one query; its shape never depends on the arguments (``PreparedQuery``)."""
    related = [path for item in fields for path in item.select_related]
    annotations: dict[str, Any] = {}
    for item in fields:
        if item.annotate is not None:
            annotations.update(item.annotate(**arguments))
    queryset = get_user_model().objects.filter(pk=arguments["user_pk"])
    if related:  # select_related() with no paths would follow every relation
        queryset = queryset.select_related(*related)
    return queryset.annotate(**annotations)[:1]


@cache
def _context_query() -> PreparedQuery:
    """Built and compiled once per process (and set of fields); a request binds its values."""
    fields = registered()
    arguments = dict(ARGUMENTS)
    for item in fields:
        arguments.update(item.arguments)
    return PreparedQuery(lambda **values: _context_queryset(fields, **values), **arguments)


def load_context(
    user, *, now: datetime | None = None, for_request: bool = False
) -> ClubContext | None:
    """The club context of a signed-in ``user`` (``None`` for anonymous shoppers): one query.

    ``for_request``: the context serves the current request, so a field may
    keep what it read for the rest of the request (``consent.known``).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    now = now or timezone.now()
    query = _context_query()
    fields = registered()
    values: dict[str, Any] = {"user_pk": user.pk, "now": now}
    for item in fields:
        if item.bind is not None:
            values.update(item.bind(user))
    row = query.first(**values)
    if row is None:
        return None
    reading = Reading(user=user, now=now, for_request=for_request)
    return ClubContext(
        user_id=row.pk,
        loaded_at=now,
        fields={item.name: item.read(row, reading) for item in fields},
    )


def context_for_request(request) -> ClubContext | None:
    """The context the request's strategy loaded (``None``: none loaded, or anonymous)."""
    strategy = getattr(request, "strategy", None)
    context = getattr(strategy, "loyalty_context", None)
    user = getattr(request, "user", None)
    if context is not None and getattr(user, "pk", None) == context.user_id:
        return context
    return None


def context_for_basket(basket) -> ClubContext | None:
    """The context of the basket's owner, when the basket carries one (a request's basket)."""
    strategy = getattr(basket, "strategy", None)
    context = getattr(strategy, "loyalty_context", None)
    if context is not None and basket.owner_id and basket.owner_id == context.user_id:
        return context
    return None
