"""A crash after any commit of an order's challenge step loses nothing once the catch-up ran."""

import pytest
from oscar.test.factories import create_order

from oscar_loyalty import order_events
from oscar_loyalty.apps.challenges import catchup, order_steps, sources
from oscar_loyalty.apps.challenges.models import Completion
from tests.apps.challenges.conftest import challenge_points, make_challenge, refund_in_full
from tests.apps.points.conftest import make_basket
from tests.crashes import commits, crash_after
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _order_without_step(member):
    order_events.unregister("order_placed", order_steps.record_order)
    try:
        return create_order(basket=make_basket(member.user), user=member.user)
    finally:
        order_events.register("order_placed", order_steps.record_order, order=70)


def test_a_crash_after_any_commit_of_recording_or_undoing_loses_nothing():
    make_challenge(target=1)
    member = MemberFactory()
    order = _order_without_step(member)
    with commits() as log:
        sources.record_order(order)
    assert log.count >= 1
    for n in range(1, log.count + 1):
        member = MemberFactory()
        order = _order_without_step(member)
        with crash_after(n):
            sources.record_order(order)
        catchup.catch_up()
        catchup.catch_up()
        assert challenge_points(member) == 300, n
        assert Completion.objects.filter(participation__member=member).count() == 1
    # Undoing: crash after each commit of the refund's step, then catch up.
    with commits() as undo_log:
        refund_in_full(order)
    assert challenge_points(member) == 0
    for n in range(1, undo_log.count + 1):
        member = MemberFactory()
        order = create_order(basket=make_basket(member.user), user=member.user)
        assert challenge_points(member) == 300
        with crash_after(n):
            refund_in_full(order)
        catchup.catch_up()
        assert challenge_points(member) == 0, n
