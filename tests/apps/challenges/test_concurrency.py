"""Two order events for one member at once complete a challenge once (PostgreSQL row locks)."""

import pytest
from django.db import connection

from oscar_loyalty.apps.challenges import sources
from oscar_loyalty.apps.challenges.models import Completion
from oscar_loyalty.apps.points.models import PointsEntry
from tests.apps.challenges.conftest import challenge_points, make_challenge
from tests.apps.points.conftest import make_basket
from tests.concurrency import run_in_threads
from tests.factories import MemberFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite locks the whole database file, so it cannot show row-lock races.",
    ),
]


def test_two_order_events_at_once_complete_the_challenge_once():
    from oscar.test.factories import create_order

    member = MemberFactory()
    make_challenge(target=2, max_completions=1)
    # Orders placed with no challenge step yet (as if their events were on their way).
    from oscar_loyalty import order_events
    from oscar_loyalty.apps.challenges import order_steps

    order_events.unregister("order_placed", order_steps.record_order)
    try:
        orders = [
            create_order(basket=make_basket(member.user), user=member.user) for _ in range(3)
        ]
    finally:
        order_events.register("order_placed", order_steps.record_order, order=70)

    done, errors = run_in_threads(lambda i: sources.record_order(orders[i]), 3)
    assert len(done) == 3 and not errors
    assert Completion.objects.count() == 1
    assert PointsEntry.objects.filter(idempotency_key__startswith="challenge:").count() == 1
    assert challenge_points(member) == 300


def test_the_same_order_event_told_twice_at_once_records_one_step():
    from oscar.test.factories import create_order

    member = MemberFactory()
    make_challenge(target=1)
    from oscar_loyalty import order_events
    from oscar_loyalty.apps.challenges import order_steps

    order_events.unregister("order_placed", order_steps.record_order)
    try:
        order = create_order(basket=make_basket(member.user), user=member.user)
    finally:
        order_events.register("order_placed", order_steps.record_order, order=70)
    run_in_threads(lambda i: sources.record_order(order), 4)
    assert Completion.objects.count() == 1 and challenge_points(member) == 300
