"""The one deliberate way to change append-only evidence: redaction on erasure.

``AppendOnlyModel`` refuses every update, and must keep refusing for all
other code. Erasure needs to remove personal data from two append-only
tables while keeping what they prove (what was consented to, when, under
which wording; how a points balance came about). ``redact`` goes around the
append-only manager through Django's base manager, but only for the
fields listed in ``REDACTABLE``, only to empty values, and only from the
erasure transaction. Anything else raises.
"""

from __future__ import annotations

from django.db import transaction

from oscar_loyalty.models_base import AppendOnlyError

#: model label -> fields erasure may blank. Kept deliberately short.
REDACTABLE: dict[str, frozenset[str]] = {
    # The consent proof keeps purpose, channel, action, wording, source, time and
    # the address hash; the person's network details and the account link go.
    "loyalty_consent.ConsentRecord": frozenset({"user", "ip_address", "user_agent"}),
    # A staff adjustment's free-text reason may name the member; the points stay.
    "loyalty_points.PointsEntry": frozenset({"reason"}),
}


def redact(queryset, **values) -> int:
    """Blank ``values`` on the rows of an append-only ``queryset``; returns rows changed."""
    model = queryset.model
    allowed = REDACTABLE.get(model._meta.label, frozenset())
    refused = set(values) - allowed
    if refused:
        raise AppendOnlyError(f"{model.__name__}: {sorted(refused)} cannot be redacted.")
    if any(value not in (None, "") and not isinstance(value, str) for value in values.values()):
        raise AppendOnlyError("Redaction only writes empty values or fixed placeholders.")
    if not transaction.get_connection().in_atomic_block:
        raise AppendOnlyError("Redaction runs only inside the erasure transaction.")
    pks = list(queryset.values_list("pk", flat=True))
    return model._base_manager.filter(pk__in=pks).update(**values)
