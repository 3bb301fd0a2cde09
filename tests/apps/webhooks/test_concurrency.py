"""Two workers claiming one endpoint's deliveries at once, on PostgreSQL (real commits)."""

import pytest

from oscar_loyalty.apps.webhooks import delivery
from oscar_loyalty.apps.webhooks.models import Delivery, DeliveryAttempt
from tests.concurrency import postgres_races, run_in_threads
from tests.factories import MemberFactory

from .helpers import join_events, make_endpoint

pytestmark = postgres_races("two webhook workers")


@pytest.fixture(autouse=True)
def small_batches(settings):
    settings.OSCAR_LOYALTY_WEBHOOKS_BATCH_SIZE = 3
    settings.OSCAR_LOYALTY_WEBHOOKS_RETRY_SECONDS = (0, 0)


def test_two_workers_on_one_endpoint_deliver_each_event_once_and_in_member_order(receivers):
    receiver = receivers()
    endpoint = make_endpoint(receiver.url)
    receiver.start(endpoint.secret)
    members = [MemberFactory() for _ in range(12)]
    made = join_events(members, rounds=3)

    results, errors = run_in_threads(lambda i: delivery.deliver_endpoint(endpoint.pk), 2)
    assert len(results) == 2 and not errors
    delivery.deliver_endpoint(endpoint.pk)  # whatever a member's order held back
    assert Delivery.objects.filter(status=Delivery.DELIVERED).count() == len(made)
    # Each event was sent exactly once: no two workers ever held the same delivery.
    assert not receiver.rows("duplicate")
    assert DeliveryAttempt.objects.count() == len(made)
    order_of = {event.webhook_id: event.pk for event in made}
    for member in members:
        seen = [row["id"] for row in receiver.rows("new") if row["member"] == member.number]
        assert seen == sorted(seen, key=order_of.get)
