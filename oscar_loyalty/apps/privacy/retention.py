"""Deleting tracking data past its retention period, in batches.

Each app registers what it keeps and for how long (``registry.register_retention``);
``apply_retention`` runs every rule whose setting is not ``None``. Rows go in
batches of ``OSCAR_LOYALTY_PRIVACY_RETENTION_BATCH_SIZE``, each batch its own
short transaction, so a first run over years of rows never holds long locks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from oscar_loyalty import app_settings

from . import registry


def delete_in_batches(queryset, batch_size: int) -> int:
    """Delete ``queryset`` ``batch_size`` rows at a time; returns rows deleted (top level)."""
    model = queryset.model
    deleted = 0
    while True:
        pks = list(queryset.values_list("pk", flat=True)[:batch_size])
        if not pks:
            return deleted
        with transaction.atomic():
            deleted += (
                model._default_manager.filter(pk__in=pks).delete()[1].get(model._meta.label, 0)
            )


def apply_retention(*, now: datetime | None = None, batch_size: int | None = None) -> dict:
    """Run every retention rule; returns ``{rule name: rows deleted}``."""
    now = now or timezone.now()
    batch_size = batch_size or app_settings.PRIVACY_RETENTION_BATCH_SIZE
    result = {}
    for rule in registry.retention_rules():
        days = getattr(app_settings, rule.setting)
        if days is None:
            continue
        result[rule.name] = rule.delete_older_than(now - timedelta(days=days), batch_size)
    return result
