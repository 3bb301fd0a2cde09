"""The webhooks app's part of a data export and an erasure (see ``apps.privacy``).

Imported by ``apps.privacy.registry.autodiscover`` only when this app is
installed. An event's payload names the member (card number, customer id),
so erasing a member deletes the events told about them, delivered or not,
with their deliveries and attempts (``CASCADE``): nothing about an erased
person is sent on afterwards, nor kept here. A receiving system learns of the
erasure through the store's own process, as it would without webhooks
(docs/webhooks.md, "Privacy"). The export lists which events were told about
the member and when, not the payloads sent to other systems.
"""

from __future__ import annotations

from oscar_loyalty.apps.privacy import registry

from .models import Event


def _keys(subject) -> list[str]:
    # The keys ``events._key`` gives a person's events: their user, else their member row.
    keys = [f"user:{subject.user.pk}"]
    if subject.member is not None:
        keys.append(f"member:{subject.member.pk}")
    return keys


def export_webhooks(subject) -> dict:
    events = Event.objects.filter(member_key__in=_keys(subject)).order_by("created_at", "pk")
    return {
        "events": [
            {"id": str(event.uuid), "type": event.type, "created_at": event.created_at}
            for event in events
        ]
    }


def erase_webhooks(subject) -> int:
    deleted, _per_model = Event.objects.filter(member_key__in=_keys(subject)).delete()
    return deleted


registry.register_section("webhooks", exporter=export_webhooks, eraser=erase_webhooks)
