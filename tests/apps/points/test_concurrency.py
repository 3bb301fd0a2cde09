"""Real threads against a real PostgreSQL database: points are never spent twice."""

from decimal import Decimal as D

from oscar.test.factories import create_product

from oscar_loyalty.apps.points import redemption, services, verification
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry, PointsRedemption
from oscar_loyalty.exceptions import PointsError
from tests.apps.points.conftest import make_basket, place, reapply
from tests.concurrency import postgres_races
from tests.concurrency import run_in_threads as shared_run_in_threads
from tests.factories import MemberFactory

THREADS = 20

pytestmark = postgres_races("concurrent redemptions")


def run_in_threads(target, count):
    return shared_run_in_threads(target, count, expected=PointsError)


def test_parallel_redemptions_never_spend_more_than_the_balance(points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "0"  # only spending moves the balance
    member = MemberFactory()
    services.adjust_points(member, 1000, reason="Start", staff_user=None)
    product = create_product(price=D("50.00"), num_in_stock=1000)
    baskets = [make_basket(member.user, products=[product]) for _ in range(THREADS)]

    def redeem_and_order(index):
        basket = baskets[index]
        redemption.reserve_points(basket, member.user, 150)
        return place(member.user, basket=reapply(basket))

    orders, refused = run_in_threads(redeem_and_order, THREADS)
    assert len(orders) == 6 and len(refused) == THREADS - 6  # 6 x 150 <= 1000 < 7 x 150
    account = PointsAccount.objects.get(member=member)
    assert account.balance == 100 and account.debt == 0
    assert PointsEntry.objects.filter(kind=PointsEntry.REDEEM).count() == 6
    assert PointsRedemption.objects.filter(status=PointsRedemption.CAPTURED).count() == 6
    assert verification.verify_balances() == []


def test_parallel_staff_debits_never_overdraw(points_settings):
    member = MemberFactory()
    services.adjust_points(member, 1000, reason="Start", staff_user=None)

    def debit(index):
        return services.adjust_points(member, -100, reason=f"Debit {index}", staff_user=None)

    done, refused = run_in_threads(debit, THREADS)
    assert (len(done), len(refused)) == (10, THREADS - 10)
    assert PointsAccount.objects.get(member=member).balance == 0
    assert verification.verify_balances() == []


def test_a_stale_tab_racing_the_checkout_never_leaves_a_discount_without_its_debit(
    points_settings,
):
    """Two requests on one basket: one places the order, the other (a stale
    second tab) applies points again. Whichever wins each lock, the order's
    points discount is backed by exactly one settled debit."""
    points_settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "0"
    member = MemberFactory()
    services.adjust_points(member, 50000, reason="Start", staff_user=None)
    product = create_product(price=D("100.00"), num_in_stock=1000)
    for _round in range(6):
        basket = make_basket(member.user, products=[product])
        redemption.reserve_points(basket, member.user, 5000)
        stale = make_basket.__globals__["Basket"].objects.get(pk=basket.pk)
        stale.strategy = basket.strategy
        reapply(basket)

        def race(index, basket=basket, stale=stale):
            if index == 0:
                return place(member.user, basket=basket)
            return redemption.reserve_points(stale, member.user, 6000)

        results, refused = shared_run_in_threads(race, 2, expected=PointsError)
        assert len(results) + len(refused) == 2  # no deadlock, no other error
        assert any(hasattr(result, "number") for result in results)
    assert verification.verify_redemptions() == []
    assert verification.verify_balances() == []
    spent = -sum(
        PointsEntry.objects.filter(kind=PointsEntry.REDEEM).values_list("points", flat=True)
    )
    assert PointsAccount.objects.get(member=member).balance == 50000 - spent
    assert spent == sum(
        PointsRedemption.objects.filter(status=PointsRedemption.CAPTURED).values_list(
            "captured_points", flat=True
        )
    )
