"""Real threads against a real PostgreSQL database: caps, balances and keys hold."""

from __future__ import annotations

from oscar_loyalty.apps.partners import services
from oscar_loyalty.apps.partners.models import PartnerTransaction
from oscar_loyalty.apps.points import verification
from oscar_loyalty.apps.points.models import PointsAccount
from oscar_loyalty.exceptions import LoyaltyError
from tests.apps.partners.conftest import PartnerFactory
from tests.concurrency import postgres_races, run_in_threads
from tests.factories import MemberFactory

THREADS = 20

pytestmark = postgres_races("concurrent partner requests")


def test_parallel_earns_for_different_members_never_pass_the_partners_daily_cap():
    partner = PartnerFactory(daily_earn_cap=1000)  # earn rate 2: 50.00 earns 100
    members = [MemberFactory() for _ in range(THREADS)]

    def earn(index):
        data = {
            "card": members[index].number,
            "amount": "50.00",
            "idempotency_key": f"cap-key-{index:04d}",
        }
        return services.earn_points(partner, data)

    done, refused = run_in_threads(earn, THREADS, expected=LoyaltyError)
    assert (len(done), len(refused)) == (10, THREADS - 10), [str(e) for e in refused][:3]
    assert sum(t.points for t in PartnerTransaction.objects.filter(partner=partner)) == 1000
    assert sum(PointsAccount.objects.values_list("balance", flat=True)) == 1000
    assert verification.verify_balances() == []


def test_parallel_burns_never_spend_more_than_the_balance_or_the_member_cap():
    partner = PartnerFactory(member_daily_burn_cap=600)
    member = MemberFactory()
    from oscar_loyalty.apps.points import services as points

    points.adjust_points(member, 1000, reason="Start", staff_user=None)

    def burn(index):
        data = {"card": member.number, "points": 150, "idempotency_key": f"burn-key-{index:04d}"}
        return services.burn_points(partner, data)

    done, refused = run_in_threads(burn, THREADS, expected=LoyaltyError)
    assert (len(done), len(refused)) == (4, THREADS - 4)  # 4 x 150 <= 600 < 5 x 150
    assert PointsAccount.objects.get(member=member).balance == 400
    assert verification.verify_balances() == []


def test_the_same_idempotency_key_sent_at_once_writes_one_transaction():
    partner = PartnerFactory()
    member = MemberFactory()

    def earn(index):
        data = {"card": member.number, "amount": "10.00", "idempotency_key": "same-key-1"}
        return services.earn_points(partner, data)

    done, refused = run_in_threads(earn, 10, expected=LoyaltyError)
    assert len(done) == 10 and refused == []
    assert sum(result.created for result in done) == 1
    assert len({result.transaction.pk for result in done}) == 1
    assert PointsAccount.objects.get(member=member).balance == 20


def test_a_double_submitted_till_receipt_makes_one_order():
    from decimal import Decimal

    from oscar.core.loading import get_model

    from oscar_loyalty.apps.partners import instore

    Order = get_model("order", "Order")
    member = MemberFactory()

    def record(index):
        return instore.record_purchase(member, amount=Decimal("30.00"), receipt="T9-0001")

    done, refused = run_in_threads(record, 8, expected=LoyaltyError)
    assert len(done) == 8 and refused == []
    assert sum(created for _order, created in done) == 1
    assert Order.objects.filter(number="IS-T9-0001").count() == 1


def test_parallel_till_spends_on_different_receipts_never_spend_more_than_the_balance():
    from oscar_loyalty.apps.partners import instore
    from oscar_loyalty.apps.points import services as points

    member = MemberFactory()
    points.adjust_points(member, 1000, reason="Start", staff_user=None)

    def spend(index):
        return instore.spend_points(member, points_to_spend=300, receipt=f"T4-{index:04d}")

    done, refused = run_in_threads(spend, THREADS, expected=LoyaltyError)
    assert (len(done), len(refused)) == (3, THREADS - 3)  # 3 x 300 <= 1000 < 4 x 300
    assert PointsAccount.objects.get(member=member).balance == 100
    assert verification.verify_balances() == []


def test_the_same_till_receipt_spent_at_once_takes_the_points_once():
    from oscar_loyalty.apps.partners import instore
    from oscar_loyalty.apps.points import services as points

    member = MemberFactory()
    points.adjust_points(member, 1000, reason="Start", staff_user=None)

    def spend(index):
        return instore.spend_points(member, points_to_spend=400, receipt="T4-SAME")

    done, refused = run_in_threads(spend, 10, expected=LoyaltyError)
    assert len(done) == 10 and refused == []
    assert sum(created for _entry, created in done) == 1
    assert PointsAccount.objects.get(member=member).balance == 600
