"""The rule tree of a segment: the criterion registry, validation and the combined ``Q``.

A tree is a group ``{"op": "and"|"or", "rules": [...]}`` whose rules are
conditions ``{"type": "<criterion key>", "params": {...}}`` or nested groups.
Each criterion validates its params with a Django form and turns them into a
``Q`` on ``Member`` (plain lookups, ``Exists`` or ``IN (subquery)``), so the
whole segment is one ``Member.objects.filter(q)``: one SQL statement, no loop
over members in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oscar_loyalty.exceptions import InvalidSegmentRules

AND, OR = "and", "or"
OPERATORS = {AND: _("all of"), OR: _("any of")}
MAX_DEPTH = 5
MAX_CONDITIONS = 50


@dataclass(frozen=True)
class Criterion:
    """One kind of condition: its key in the JSON, its label, its params form and its filter.

    ``build(params, now)`` receives the cleaned params (model instances
    already turned into ids) and returns a ``Q`` on ``Member``.
    ``is_available`` hides criteria whose app is not installed (referrals).
    ``aggregates(params)`` says whether the filter groups orders per customer
    live (``GROUP BY … HAVING``); such segments are evaluated with other
    planner settings on PostgreSQL (``services.planner_settings``).
    """

    key: str
    label: Any
    form_class: type[forms.Form]
    build: Callable[[dict, datetime], Q]
    group: Any = _("Member")
    help_text: Any = ""
    is_available: Callable[[], bool] = field(default=lambda: True)
    aggregates: Callable[[dict], bool] = field(default=lambda params: False)


_REGISTRY: dict[str, Criterion] = {}


def register(criterion: Criterion) -> Criterion:
    """Add (or replace) a criterion; stores can register their own the same way."""
    _REGISTRY[criterion.key] = criterion
    return criterion


def criteria() -> list[Criterion]:
    """Every available criterion, in registration order."""
    from . import criteria as _builtin  # noqa: F401  (registers the built-in ones)

    return [c for c in _REGISTRY.values() if c.is_available()]


def get_criterion(key: str) -> Criterion | None:
    return next((c for c in criteria() if c.key == key), None)


# Params: form data in, JSON out ----------------------------------------------


def _to_json(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple | set):
        return [_to_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def clean_params(criterion: Criterion, params: Any, *, where: str) -> dict:
    """The criterion's params validated by its form, as JSON-ready values (ids, ISO dates)."""
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise InvalidSegmentRules(
            errors=[gettext("%(where)s: params must be an object.") % {"where": where}]
        )
    form = criterion.form_class(data=_form_data(criterion.form_class, params))
    if not form.is_valid():
        errors = []
        for name, messages in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            prefix = f"{where} ({criterion.label}{', ' + str(label) if label else ''})"
            errors.extend(f"{prefix}: {message}" for message in messages)
        raise InvalidSegmentRules(errors=errors)
    return {
        name: _to_json(value)
        for name, value in form.cleaned_data.items()
        if value not in (None, "", [], ()) and not (isinstance(value, QuerySet) and not value)
    }


def _form_data(form_class, params: dict) -> dict:
    """JSON params as form data: lists stay lists, booleans stay booleans."""
    data = {}
    fields = form_class.base_fields
    for name, value in params.items():
        multiple = isinstance(
            fields.get(name), forms.MultipleChoiceField | forms.ModelMultipleChoiceField
        )
        if isinstance(value, list):
            data[name] = [str(v) for v in value] if multiple else ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            data[name] = value
        elif value is None:
            continue
        else:
            data[name] = str(value)
    return _MultiDict(data)


class _MultiDict(dict):
    """Enough of ``QueryDict`` for multiple-choice widgets (``getlist``)."""

    def getlist(self, key, default=None):
        value = self.get(key, default if default is not None else [])
        return value if isinstance(value, list) else [value]


# The tree --------------------------------------------------------------------


def _where(path: list[int]) -> str:
    if not path:
        return gettext("Segment")
    return gettext("Rule %(path)s") % {"path": ".".join(str(i + 1) for i in path)}


def validate_rules(tree: Any) -> dict:
    """The tree, checked and normalised; ``InvalidSegmentRules`` lists every problem found."""
    errors: list[str] = []
    counter = [0]
    cleaned = _validate_group(tree, [], errors, counter)
    if counter[0] > MAX_CONDITIONS:
        errors.append(
            gettext("A segment may have at most %(n)d conditions.") % {"n": MAX_CONDITIONS}
        )
    if errors:
        raise InvalidSegmentRules(errors=errors)
    return cleaned


def _validate_group(node: Any, path: list[int], errors: list[str], counter: list[int]) -> dict:
    where = _where(path)
    if not isinstance(node, dict) or "rules" not in node:
        errors.append(gettext("%(where)s: a group needs “op” and “rules”.") % {"where": where})
        return {}
    op = node.get("op", AND)
    if op not in OPERATORS:
        errors.append(
            gettext("%(where)s: “%(op)s” is not a way to combine rules; use “and” or “or”.")
            % {"where": where, "op": op}
        )
    rules = node.get("rules")
    if not isinstance(rules, list):
        errors.append(gettext("%(where)s: “rules” must be a list.") % {"where": where})
        return {}
    if path and not rules:
        errors.append(gettext("%(where)s: this group has no conditions.") % {"where": where})
    if len(path) >= MAX_DEPTH:
        errors.append(
            gettext("%(where)s: groups may be nested at most %(n)d deep.")
            % {"where": where, "n": MAX_DEPTH}
        )
        return {}
    cleaned_rules = []
    for index, child in enumerate(rules):
        child_path = [*path, index]
        if isinstance(child, dict) and "rules" in child:
            cleaned_rules.append(_validate_group(child, child_path, errors, counter))
        else:
            counter[0] += 1
            cleaned = _validate_condition(child, child_path, errors)
            if cleaned is not None:
                cleaned_rules.append(cleaned)
    return {"op": op, "rules": cleaned_rules}


def _validate_condition(node: Any, path: list[int], errors: list[str]) -> dict | None:
    where = _where(path)
    if not isinstance(node, dict) or "type" not in node:
        errors.append(gettext("%(where)s: a condition needs a “type”.") % {"where": where})
        return None
    criterion = get_criterion(str(node["type"]))
    if criterion is None:
        errors.append(
            gettext("%(where)s: there is no condition called “%(type)s”.")
            % {"where": where, "type": node["type"]}
        )
        return None
    try:
        params = clean_params(criterion, node.get("params"), where=where)
    except InvalidSegmentRules as error:
        errors.extend(error.errors)
        return None
    return {"type": criterion.key, "params": params}


def build_q(tree: dict, *, now: datetime | None = None) -> Q:
    """The ``Q`` on ``Member`` for a validated tree (an empty top-level group: everyone)."""
    now = now or timezone.now()
    return _build(tree, now)


def uses_aggregate(tree: dict) -> bool:
    """Whether any condition of a validated tree is a live per-customer aggregate."""
    if "rules" in tree:
        return any(uses_aggregate(child) for child in tree["rules"])
    criterion = get_criterion(tree.get("type", ""))
    return criterion is not None and criterion.aggregates(tree.get("params") or {})


def _build(node: dict, now: datetime) -> Q:
    if "rules" in node:
        parts = [_build(child, now) for child in node["rules"]]
        if not parts:
            return Q()
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined | part) if node.get("op") == OR else (combined & part)
        return combined
    criterion = get_criterion(node["type"])
    if criterion is None:  # an app was uninstalled after the segment was saved
        raise InvalidSegmentRules(
            errors=[gettext("There is no condition called “%(type)s”.") % {"type": node["type"]}]
        )
    return criterion.build(node.get("params") or {}, now)
