from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.apps.partner.strategy import Default
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_order, create_product

from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.consent.services import record_consent
from oscar_loyalty.apps.offers import draws
from oscar_loyalty.apps.offers.models import DrawWinner, PrizeDraw
from oscar_loyalty.exceptions import DrawAlreadyRun, DrawNotReady
from tests.factories import MemberFactory, PrizeDrawFactory, TierFactory

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")


@pytest.fixture
def members(free_plan):
    return [MemberFactory(plan=free_plan, user=UserFactory()) for _ in range(6)]


def spend(member, amount):
    basket = Basket.objects.create(owner=member.user)
    basket.strategy = Default()
    basket.add_product(create_product(price=D(amount), num_in_stock=10))
    return create_order(basket=basket, user=member.user)


def test_a_draws_winners_can_be_reproduced_from_its_record(members):
    draw = PrizeDrawFactory(winners_count=3)
    draw, winners = draws.run_draw(draw)
    assert len(winners) == 3 and len(draw.seed) == 64
    assert [e["number"] for e in draw.entries] == sorted(m.number for m in members)
    recorded = PrizeDraw.objects.get(pk=draw.pk)
    assert draws.verify_draw(recorded)
    again = draws.pick_winners(recorded.seed, recorded.entries, recorded.winners_count)
    assert again == [w.member_id for w in recorded.winners.order_by("position")]


def test_verify_notices_a_tampered_winner_list(members):
    draw, winners = draws.run_draw(PrizeDrawFactory(winners_count=2))
    loser = next(m for m in members if m.pk not in {w.member_id for w in winners})
    DrawWinner.objects.filter(pk=winners[0].pk).update(member=loser)
    assert draws.verify_draw(PrizeDraw.objects.get(pk=draw.pk)) is False


def test_the_same_seed_and_entries_always_pick_the_same_winners():
    entries = [{"member_id": i, "number": str(i), "tickets": i} for i in range(1, 8)]
    first = draws.pick_winners("abc", entries, 4)
    assert first == draws.pick_winners("abc", entries, 4)
    assert len(set(first)) == 4  # nobody wins twice
    assert draws.pick_winners("abd", entries, 7) != draws.pick_winners("abc", entries, 7)


def test_a_member_never_wins_the_same_draw_twice_even_with_many_tickets(members):
    draw = PrizeDrawFactory(winners_count=10)
    draw, winners = draws.run_draw(draw)
    assert len(winners) == len(members)
    assert len({w.member_id for w in winners}) == len(members)


def test_running_a_draw_twice_is_refused_and_changes_nothing(members):
    draw, winners = draws.run_draw(PrizeDrawFactory(winners_count=2))
    seed = PrizeDraw.objects.get(pk=draw.pk).seed
    with pytest.raises(DrawAlreadyRun):
        draws.run_draw(draw)
    assert PrizeDraw.objects.get(pk=draw.pk).seed == seed
    assert DrawWinner.objects.filter(draw=draw).count() == 2


def test_winners_are_emailed_after_the_draw_commits(
    members, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draw, winners = draws.run_draw(PrizeDrawFactory(winners_count=2, name="Summer draw"))
    assert sorted(m.to[0] for m in mailoutbox) == sorted(w.member.user.email for w in winners)
    # The draw's own name ("Summer draw") is quoted, never followed by "draw" again.
    assert "You won the prize draw “Summer draw”" in mailoutbox[0].subject
    assert "draw draw" not in mailoutbox[0].subject + mailoutbox[0].body
    assert all(w.notified_at for w in DrawWinner.objects.all())


def test_only_members_of_the_chosen_tiers_with_enough_spend_enter(members):
    gold = TierFactory(name="Gold", code="gold")
    rich, poor = members[0], members[1]
    for m in (rich, poor):
        m.tier = gold
        m.save()
    spend(rich, "120.00")
    spend(poor, "20.00")
    draw = PrizeDrawFactory(min_spend=D("100.00"))
    draw.tiers.set([gold])
    assert [e["member_id"] for e in draws.eligible_entries(draw)] == [rich.pk]


def test_spend_outside_the_period_does_not_count(members):
    order = spend(members[0], "150.00")
    order.date_placed = timezone.now() - timedelta(days=40)
    order.save()
    draw = PrizeDrawFactory(min_spend=D("100"), spend_from=timezone.now() - timedelta(days=30))
    assert draws.eligible_entries(draw) == []


def test_one_entry_per_amount_spent(members):
    spend(members[0], "250.00")
    spend(members[1], "99.99")
    draw = PrizeDrawFactory(entry_mode=PrizeDraw.PER_SPEND, spend_per_entry=D("100"))
    assert [(e["member_id"], e["tickets"]) for e in draws.eligible_entries(draw)] == [
        (members[0].pk, 2)
    ]


def test_a_draw_that_needs_consent_leaves_out_members_without_it(members):
    record_consent(
        members[2].user,
        purpose="marketing",
        channel="email",
        action="grant",
        source=ConsentRecord.SOURCE_DOI,
    )
    draw = PrizeDrawFactory(requires_marketing_consent=True)
    assert [e["member_id"] for e in draws.eligible_entries(draw)] == [members[2].pk]


def test_expired_members_do_not_enter(members):
    for m in members[1:]:
        m.expires_at = timezone.now() - timedelta(days=1)
        m.save()
    assert [e["member_id"] for e in draws.eligible_entries(PrizeDrawFactory())] == [members[0].pk]


def test_a_draw_without_eligible_members_is_refused_and_not_marked_drawn(db):
    draw = PrizeDrawFactory()
    with pytest.raises(DrawNotReady):
        draws.run_draw(draw)
    assert not PrizeDraw.objects.get(pk=draw.pk).is_drawn
