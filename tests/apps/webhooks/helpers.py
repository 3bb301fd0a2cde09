"""Making events and endpoints, and running the delivery loop to the end."""

from __future__ import annotations

from oscar_loyalty import signals
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.webhooks import delivery, events, services
from oscar_loyalty.apps.webhooks.models import Delivery, Endpoint, Event


def make_endpoint(url: str, *types: str, name: str = "CRM") -> Endpoint:
    return Endpoint.objects.create(name=name, url=url, events=list(types or events.EVENT_TYPES))


def join_events(members, *, rounds: int = 1) -> list[Event]:
    """``rounds`` events per member, interleaved (a, b, c, a, b, c, ...), through the outbox."""
    made = []
    for _ in range(rounds):
        for member in members:
            made.append(
                services.record_event(
                    signals.member_joined, sender=Member, member=member, source="join"
                )
            )
    return made


def drain(endpoint: Endpoint, *, rounds: int = 200) -> None:
    """Run the endpoint's worker until nothing is open (retries due at once in these tests)."""
    for _ in range(rounds):
        delivery.deliver_endpoint(endpoint.pk)
        if not Delivery.objects.filter(endpoint=endpoint, status__in=delivery.OPEN).exists():
            return
        endpoint.refresh_from_db()
        if not endpoint.is_active:
            return
    raise AssertionError("deliveries still open after the worker ran out of rounds")
