"""Rows as plain dicts for the JSON export, and the generic helpers erasers share."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


def row(obj, *, exclude: Iterable[str] = ()) -> dict:
    """Every concrete field of ``obj``; a foreign key as its id (``<name>_id``)."""
    skip = set(exclude)
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        data[field.attname] = field.value_from_object(obj)
    return data


def rows(queryset, *, exclude: Iterable[str] = ()) -> list[dict]:
    return [row(obj, exclude=exclude) for obj in queryset]


def blank_values(model, names: Iterable[str]) -> dict:
    """``{field: empty}`` for ``names``: ``None`` where nullable, ``""`` or ``[]``/``{}`` else."""
    values = {}
    for name in names:
        field = model._meta.get_field(name)
        if field.null:
            values[name] = None
        elif isinstance(field, models.JSONField):
            values[name] = field.get_default()
        else:
            values[name] = ""
    return values


def links_to(model, targets: dict) -> list[tuple[str, object]]:
    """The foreign keys of ``model`` pointing at one of ``targets`` (model -> value)."""
    found = []
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model in targets:
            found.append((field.name, targets[field.related_model]))
    return found
