"""A refund that undoes a step undoes the progress; a reward given is reversed once."""

from oscar.core.loading import get_model

from oscar_loyalty import order_events
from oscar_loyalty.apps.challenges import catchup, progress
from oscar_loyalty.apps.challenges.models import Challenge, ChallengeStep, Completion
from oscar_loyalty.apps.offers import draws
from oscar_loyalty.apps.points.models import PointsEntry
from oscar_loyalty.order_events.events import refunded
from tests.apps.challenges.conftest import (
    challenge_points,
    make_challenge,
    order_for,
    product_in,
    refund_in_full,
)
from tests.factories import PrizeDrawFactory

PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
ConditionalOffer = get_model("offer", "ConditionalOffer")


def test_a_full_refund_before_completion_takes_the_step_back(member):
    make_challenge(target=2)
    order = order_for(member)
    assert [p.done for p in progress.progress_for(member)] == [1]
    refund_in_full(order)
    assert [p.done for p in progress.progress_for(member)] == [0]
    order_for(member)
    assert not Completion.objects.exists()


def test_a_refund_replayed_twice_reverses_the_reward_exactly_once(member):
    make_challenge(target=2)
    first = order_for(member)
    order_for(member)
    assert challenge_points(member) == 300
    refund_in_full(first)
    event = refunded(PaymentEvent.objects.get(order=first))
    order_events.dispatch(event)
    order_events.dispatch(event)
    completion = Completion.objects.get()
    assert completion.reversed_at is not None
    assert PointsEntry.objects.filter(idempotency_key=completion.reversal_key).count() == 1
    assert challenge_points(member) == 0
    # The step that was not refunded counts again: one more order completes it anew.
    assert [p.done for p in progress.progress_for(member)] == [1]
    order_for(member)
    assert Completion.objects.filter(reversed_at__isnull=True).count() == 1
    assert challenge_points(member) == 300


def test_points_already_spent_become_a_debt_when_the_reward_is_reversed(member):
    make_challenge(target=1, reward_points=300)
    order = order_for(member)
    from oscar_loyalty.apps.points.services import adjust_points

    adjust_points(member, -350, reason="Spent", staff_user=None)  # the order's 50 + the 300
    refund_in_full(order)
    from oscar_loyalty.apps.points.models import PointsAccount

    account = PointsAccount.objects.get(member=member)
    assert account.balance == 0 and account.debt == 350  # 300 reward + 50 earned, owed


def test_refunding_the_only_line_of_a_category_takes_that_category_back(member):
    make_challenge(kind="categories", target=2, period_days=None, reward_points=50)
    shoes, hats = product_in("Shoes"), product_in("Hats")
    order = order_for(member, products=[shoes, hats])
    assert challenge_points(member) == 50
    from oscar.apps.order.processing import EventHandler

    hats_line = order.lines.get(product=hats)
    EventHandler().handle_payment_event(
        order,
        PaymentEventType.objects.get_or_create(name="Refund")[0],
        hats_line.line_price_incl_tax,
        [hats_line],
        [1],
    )
    assert challenge_points(member) == 0
    assert set(
        ChallengeStep.objects.filter(undone_at__isnull=True).values_list("value", flat=True)
    ) == {str(shoes.categories.get().pk)}


def test_the_catch_up_undoes_steps_of_an_order_refunded_while_the_step_was_lost(member):
    make_challenge(target=1)
    order = order_for(member)
    assert challenge_points(member) == 300
    # The refund's step for challenges was lost (a crash): only the others ran.
    from oscar_loyalty.apps.challenges import order_steps

    order_events.unregister("order_refunded", order_steps.undo_order)
    try:
        refund_in_full(order)
    finally:
        order_events.register("order_refunded", order_steps.undo_order, order=70)
    assert challenge_points(member) == 300
    assert catchup.catch_up() == 1
    assert challenge_points(member) == 0
    assert catchup.catch_up() == 0


def test_an_order_placed_after_the_limit_counts_once_the_completion_is_reversed(member):
    make_challenge(target=1, max_completions=1)
    first = order_for(member)
    order_for(member)  # past the limit: kept, not paid
    assert Completion.objects.count() == 1 and challenge_points(member) == 300
    refund_in_full(first)
    assert Completion.objects.filter(reversed_at__isnull=True).count() == 1
    assert Completion.objects.filter(reversed_at__isnull=False).count() == 1
    assert challenge_points(member) == 300


def _replay_refund(order):
    event = refunded(PaymentEvent.objects.get(order=order))
    order_events.dispatch(event)
    order_events.dispatch(event)


def test_reversing_a_completion_ends_its_unused_voucher_once_even_when_the_refund_is_replayed(
    member,
):
    from oscar_loyalty.apps.referrals.friend_offer import ensure_friend_offer

    ensure_friend_offer("referral-friend")
    offer = ConditionalOffer.objects.get(slug="referral-friend")
    make_challenge(target=1, reward_kind=Challenge.VOUCHER, reward_points=0, reward_offer=offer)
    order = order_for(member)
    voucher = Completion.objects.get().voucher
    assert voucher.is_active()
    refund_in_full(order)
    voucher.refresh_from_db()
    ended_at = voucher.end_datetime
    assert not voucher.is_active()
    assert Completion.objects.get().reversed_at is not None
    _replay_refund(order)
    voucher.refresh_from_db()
    assert voucher.end_datetime == ended_at and not voucher.is_active()
    assert Completion.objects.count() == 1
    assert Completion.objects.filter(reversed_at__isnull=True).count() == 0


def test_reversing_a_completion_drops_its_prize_draw_ticket_once_even_when_the_refund_is_replayed(
    member,
):
    draw = PrizeDrawFactory(
        min_spend=10_000
    )  # nobody qualifies by spend: tickets come from challenges
    make_challenge(target=1, reward_kind=Challenge.DRAW, reward_points=0, reward_draw=draw)
    order = order_for(member)
    assert {e["member_id"]: e["tickets"] for e in draws.eligible_entries(draw)} == {member.pk: 1}
    refund_in_full(order)
    assert draws.eligible_entries(draw) == []
    _replay_refund(order)
    assert draws.eligible_entries(draw) == []
    assert Completion.objects.filter(reversed_at__isnull=False).count() == 1
    assert Completion.objects.count() == 1
