"""Real threads against PostgreSQL: a draw runs once and a gift is issued once, however raced."""

import pytest
from django.db import connection
from django.utils import timezone
from oscar.test.factories import RangeFactory, UserFactory, create_product

from oscar_loyalty.apps.offers import draws, gifts, services
from oscar_loyalty.apps.offers.models import DrawWinner, MemberGift, PrizeDraw
from oscar_loyalty.exceptions import OffersError
from tests.concurrency import run_in_threads as shared_run_in_threads
from tests.factories import MemberFactory, PlanFactory, PrizeDrawFactory

THREADS = 8

pytestmark = [
    pytest.mark.postgres,
    # serialized_rollback: an earlier transactional test flushed the data
    # migrations (the points site offers); restore them first.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite locks the whole database file, so it cannot show row-lock races; "
        "run with DATABASE_URL=postgres://... to test them.",
    ),
]


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
