"""A member's data as one JSON document (GDPR art. 15 access, art. 20 portability)."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from . import registry

FORMAT = "oscar-loyalty-export/1"


class ExportEncoder(DjangoJSONEncoder):
    """Django's encoder, plus files as their names and any other value as its text
    (phone numbers, for instance): an export never fails over a field type."""

    def default(self, o):
        if isinstance(o, FieldFile):
            return o.name or None
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def build_export(user) -> dict:
    """Every registered section's data about ``user``, keyed by section name."""
    subject = registry.Subject.for_user(user)
    return {
        "format": FORMAT,
        "generated_at": timezone.now(),
        "sections": {
            section.name: section.exporter(subject)
            for section in registry.sections()
            if section.exporter is not None
        },
    }


def export_json(user) -> str:
    return json.dumps(build_export(user), cls=ExportEncoder, ensure_ascii=False, indent=2)


def filename(user, *, now=None) -> str:
    return f"my-data-{(now or timezone.now()):%Y-%m-%d}.json"
