"""Turning the old tier and interest lists of campaigns and offer rules into saved segments.

Before issue #19 a newsletter campaign chose its audience with ``tiers`` and
``interests`` lists *and* an optional segment, and a members-only offer rule
with ``tiers`` and a segment. Segments are now the only way to say who is in
an audience; the newsletter and offers data migrations call
``move_audiences_to_segments`` with their historical models, so this module
reads and writes only what it is given (no model imports, no validation
through today's forms: a migration must still run after those change).

The audience stays exactly the same:

* a tier list meant ``tier_id IN (…)`` (members without a tier left out): the
  ``tier`` criterion with those ids and no ``no_tier``;
* an interest list meant "interested in at least one": the ``interests``
  criterion with those categories;
* the existing segment narrowed both: its rules are ANDed in (spliced into the
  top level when they are themselves an AND, so no nesting level is spent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

NAME_LENGTH = 128  # Segment.name's max_length


def combined_rules(
    *, tier_ids: Iterable[int], category_ids: Iterable[int] = (), segment_rules: dict | None = None
) -> dict | None:
    """The rule tree equal to "tier in … AND interest in … AND the segment", or None.

    None when there are neither tiers nor interests: nothing to move, the
    object keeps its segment (or none) as it is.
    """
    conditions: list[dict] = []
    tier_ids, category_ids = sorted(set(tier_ids)), sorted(set(category_ids))
    if tier_ids:
        conditions.append({"type": "tier", "params": {"tiers": tier_ids, "no_tier": False}})
    if category_ids:
        conditions.append({"type": "interests", "params": {"categories": category_ids}})
    if not conditions:
        return None
    if segment_rules and segment_rules.get("rules"):
        if segment_rules.get("op", "and") == "and":
            conditions.extend(segment_rules["rules"])
        else:
            conditions.append(segment_rules)
    return {"op": "and", "rules": conditions}


def unique_name(Segment, wanted: str) -> str:
    """``wanted`` (cut to the column's length), with " (2)", " (3)"… if already taken."""
    name, n = wanted[:NAME_LENGTH], 1
    while Segment.objects.filter(name=name).exists():
        n += 1
        suffix = f" ({n})"
        name = wanted[: NAME_LENGTH - len(suffix)] + suffix
    return name


def move_audiences_to_segments(
    Segment,
    owners,
    *,
    name_of: Callable[[object], str],
    description: str,
    interests: bool,
) -> int:
    """Point each owner (campaign or offer rule) with tiers/interests at an equivalent segment.

    ``owners`` is a queryset of the historical model with ``tiers``
    (``interests`` too when ``interests``) and a ``segment`` foreign key. The
    lists are left for the schema migration that follows to drop. Returns how
    many owners were moved.
    """
    moved = 0
    for owner in owners.select_related("segment").order_by("pk"):
        # Ids only, without the related models' default ordering: a historical
        # model's ``Meta.ordering`` may name a column another app's later
        # migration changes.
        tier_ids = list(owner.tiers.order_by().values_list("pk", flat=True))
        category_ids = (
            list(owner.interests.order_by().values_list("pk", flat=True)) if interests else []
        )
        old = owner.segment
        rules = combined_rules(
            tier_ids=tier_ids,
            category_ids=category_ids,
            segment_rules=old.rules if old is not None else None,
        )
        if rules is None:
            continue
        combined_with = f" ANDed with the segment “{old.name}”." if old is not None else ""
        owner.segment = Segment.objects.create(
            name=unique_name(Segment, name_of(owner)),
            description=description + combined_with,
            rules=rules,
        )
        owner.save(update_fields=["segment"])
        moved += 1
    return moved
