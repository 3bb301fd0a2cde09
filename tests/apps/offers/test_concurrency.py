"""Real threads against PostgreSQL: a draw runs once and a gift is issued once, however raced."""

from django.utils import timezone
from oscar.test.factories import RangeFactory, UserFactory, create_product

from oscar_loyalty.apps.offers import draws, gifts, services
from oscar_loyalty.apps.offers.models import DrawWinner, MemberGift, PrizeDraw
from oscar_loyalty.exceptions import OffersError
from tests.concurrency import postgres_races
from tests.concurrency import run_in_threads as shared_run_in_threads
from tests.factories import MemberFactory, PlanFactory, PrizeDrawFactory

THREADS = 8

pytestmark = postgres_races("them")


def run_in_threads(target, count=THREADS):
    return shared_run_in_threads(lambda _index: target(), count, expected=OffersError)


def test_a_draw_run_from_several_tabs_at_once_is_drawn_once():
    plan = PlanFactory()
    for _ in range(5):
        MemberFactory(plan=plan, user=UserFactory())
    draw = PrizeDrawFactory(winners_count=2)
    results, errors = run_in_threads(lambda: draws.run_draw(draw))
    assert len(results) == 1 and len(errors) == THREADS - 1
    assert DrawWinner.objects.filter(draw=draw).count() == 2
    assert draws.verify_draw(PrizeDraw.objects.get(pk=draw.pk))


def test_two_birthday_runs_at_once_issue_one_gift(settings):
    offer = services.save_member_offer(
        services.MemberOfferSpec(
            name="Birthday",
            offer_type="Voucher",
            condition_type="Count",
            range=RangeFactory(products=[create_product(price=10)]),
            condition_value=1,
            benefit_type="Percentage",
            benefit_value=20,
        )
    )
    settings.OSCAR_LOYALTY_BIRTHDAY_OFFER = offer.slug
    member = MemberFactory(plan=PlanFactory(), birthday=timezone.localdate().replace(year=1990))
    results, errors = run_in_threads(gifts.issue_birthday_gifts)
    assert sorted(results) == [0] * (THREADS - 1) + [1] and errors == []
    assert MemberGift.objects.filter(member=member).count() == 1
    assert offer.vouchers.count() == 1
