"""The journey app's part of a data export and an erasure (see ``apps.privacy``).

Written over the app's models generically, so records the app adds later are
covered without changes here: every row linked to the member or the account
is exported; on erasure, rows linked to the member or account (first touch,
visits) are deleted, and rows linked only to an order (the order's channel,
no personal data) stay with the order. Retention deletes rows that never
became a member's (``member`` and ``user`` empty) after
``OSCAR_LOYALTY_PRIVACY_VISIT_DAYS``.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models

from oscar_loyalty.apps.privacy import registry
from oscar_loyalty.apps.privacy.serialise import links_to, rows

PERSON_MODELS = ("loyalty_membership.Member", settings.AUTH_USER_MODEL)


def _journey_models():
    return list(apps.get_app_config("loyalty_journey").get_models())


def _person_targets(subject) -> dict:
    targets = {apps.get_model(settings.AUTH_USER_MODEL): subject.user}
    if subject.member is not None:
        targets[apps.get_model("loyalty_membership", "Member")] = subject.member
    return targets


def _person_rows(model, subject):
    query = models.Q()
    for name, value in links_to(model, _person_targets(subject)):
        query |= models.Q(**{name: value})
    return model._default_manager.filter(query) if query else None


def _order_rows(model, subject):
    Order = apps.get_model("order", "Order")
    names = [name for name, _value in links_to(model, {Order: None})]
    if not names or not subject.order_ids:
        return None
    query = models.Q()
    for name in names:
        query |= models.Q(**{f"{name}__in": subject.order_ids})
    return model._default_manager.filter(query)


def export_journey(subject) -> dict:
    result = {}
    for model in _journey_models():
        found = _person_rows(model, subject)
        if found is None:
            found = _order_rows(model, subject)
        if found is not None:
            result[model._meta.model_name] = rows(found)
    return result


def erase_journey(subject) -> int:
    deleted = 0
    for model in _journey_models():
        found = _person_rows(model, subject)
        if found is not None:
            deleted += found.delete()[0]
    return deleted


def delete_old_visits(cutoff, batch_size: int) -> int:
    from oscar_loyalty.apps.privacy.retention import delete_in_batches

    deleted = 0
    person_models = {apps.get_model(label) for label in PERSON_MODELS}
    for model in _journey_models():
        links = [name for name, _value in links_to(model, dict.fromkeys(person_models))]
        date_field = next(
            (
                name
                for name in ("created_at", "visited_at", "first_seen_at")
                if any(f.name == name for f in model._meta.concrete_fields)
            ),
            None,
        )
        nullable = all(model._meta.get_field(name).null for name in links)
        if not links or not nullable or date_field is None:
            continue
        old = model._default_manager.filter(
            **{f"{date_field}__lt": cutoff}, **{f"{name}__isnull": True for name in links}
        )
        deleted += delete_in_batches(old, batch_size)
    return deleted


registry.register_section("journey", exporter=export_journey, eraser=erase_journey)
registry.register_retention(
    "visitors_who_never_joined", setting="PRIVACY_VISIT_DAYS", delete_older_than=delete_old_visits
)
