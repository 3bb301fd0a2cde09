from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from oscar_loyalty.apps.points import services, verification
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry, PointsLot, PointsLotUse
from oscar_loyalty.exceptions import InsufficientPoints, InvalidPointsAmount, PointsError
from oscar_loyalty.models_base import AppendOnlyError
from tests.apps.points.conftest import credit

pytestmark = pytest.mark.django_db


def test_a_credit_writes_one_entry_one_lot_and_the_cached_balance(member, points_settings):
    entry = credit(member, 250)
    account = PointsAccount.objects.get(member=member)
    assert (account.balance, entry.points, entry.kind) == (250, 250, PointsEntry.ADJUST)
    assert entry.lot.remaining == 250


def test_ledger_entries_refuse_update_and_delete(member, points_settings):
    entry = credit(member, 10)
    entry.reason = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.filter(pk=entry.pk).update(points=99)
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.all().delete()
    assert PointsEntry.objects.get(pk=entry.pk).points == 10


def test_spending_takes_the_soonest_expiring_lot_first(member, points_settings):
    now = timezone.now()
    late = credit(member, 100, now=now)
    early = credit(member, 100, now=now - timedelta(days=200))
    spent = services.adjust_points(member, -150, reason="Correction", staff_user=None)
    early.lot.refresh_from_db()
    late.lot.refresh_from_db()
    assert (early.lot.remaining, late.lot.remaining) == (0, 50)
    assert list(spent.lot_uses.values_list("lot_id", "points")) == [
        (early.lot.pk, 100),
        (late.lot.pk, 50),
    ]


def test_taking_more_than_the_balance_is_refused_and_changes_nothing(member, points_settings):
    credit(member, 40)
    with pytest.raises(InsufficientPoints):
        services.adjust_points(member, -41, reason="Too much", staff_user=None)
    assert PointsAccount.objects.get(member=member).balance == 40
    assert PointsEntry.objects.count() == 1


@pytest.mark.parametrize("bad", [0, 1.5, "10", True, None, 10**13, -(10**13)])
def test_an_adjustment_must_be_a_sensible_whole_number(member, points_settings, bad):
    with pytest.raises(InvalidPointsAmount):
        services.adjust_points(member, bad, reason="Typo", staff_user=None)
    assert not PointsEntry.objects.exists()


def test_an_adjustment_needs_a_reason(member, points_settings):
    with pytest.raises(PointsError, match="reason"):
        services.adjust_points(member, 5, reason="  ", staff_user=None)


def test_the_same_idempotency_key_never_credits_twice(member, points_settings):
    services.adjust_points(member, 5, reason="Once", staff_user=None, key="k-1")
    with pytest.raises(PointsError):
        services.adjust_points(member, 5, reason="Once", staff_user=None, key="k-1")
    assert PointsAccount.objects.get(member=member).balance == 5


def test_reading_the_balance_is_one_query(member, points_settings, django_assert_num_queries):
    credit(member, 70)
    user = member.user
    with django_assert_num_queries(1):
        summary = services.get_summary(user)
    assert (summary.balance, summary.available, str(summary.value)) == (70, 70, "0.70")


def test_lots_expire_after_the_configured_months(member, points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_EXPIRY_MONTHS = 6
    now = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
    entry = credit(member, 10, now=now)
    # Whole calendar months in the store's time zone (wall clock kept across DST).
    local = timezone.localtime(entry.lot.expires_at)
    assert (local.year, local.month, local.day, local.hour) == (2026, 7, 31, 12)


def test_expiry_can_round_up_to_the_end_of_the_month(member, points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_EXPIRY_MONTHS = 1
    points_settings.OSCAR_LOYALTY_POINTS_EXPIRY_END_OF_MONTH = True
    entry = credit(member, 10, now=datetime(2026, 1, 10, 12, 0, tzinfo=UTC))
    local = timezone.localtime(entry.lot.expires_at)
    assert (local.month, local.day, local.hour) == (2, 28, 23)


def test_points_can_be_set_never_to_expire(member, points_settings):
    points_settings.OSCAR_LOYALTY_POINTS_EXPIRY_MONTHS = None
    assert credit(member, 10).lot.expires_at is None


def test_verify_command_finds_a_wrong_balance_and_fix_rebuilds_it(member, points_settings):
    credit(member, 30)
    PointsAccount.objects.filter(member=member).update(balance=999)
    with pytest.raises(SystemExit):
        call_command("loyalty_verify_points")
    call_command("loyalty_verify_points", "--fix")
    assert PointsAccount.objects.get(member=member).balance == 30
    call_command("loyalty_verify_points")  # consistent now: no exit


def test_verify_finds_a_lot_out_of_step_with_its_uses(member, points_settings):
    entry = credit(member, 30)
    PointsLot.objects.filter(pk=entry.lot.pk).update(remaining=3)
    problems = verification.verify_balances(fix=True)
    assert any("lot" in p for p in problems)
    assert PointsLot.objects.get(pk=entry.lot.pk).remaining == 30
    assert not PointsLotUse.objects.exists()
    assert verification.verify_balances() == []
