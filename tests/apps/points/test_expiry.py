from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.consent.services import record_consent
from oscar_loyalty.apps.points import expiry, services, verification
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry, PointsLot
from oscar_loyalty.apps.points.tasks import run_daily_points_jobs
from tests.apps.points.conftest import credit

pytestmark = pytest.mark.django_db


def test_due_lots_expire_and_later_ones_stay(member, points_settings):
    now = timezone.now()
    credit(member, 100, now=now - timedelta(days=400))
    credit(member, 30, now=now)
    assert expiry.expire_points(now=now) == 100
    assert PointsAccount.objects.get(member=member).balance == 30
    assert PointsEntry.objects.filter(kind=PointsEntry.EXPIRE).get().points == -100
    assert expiry.expire_points(now=now) == 0  # a re-run changes nothing


def test_a_partly_spent_lot_expires_only_what_is_left(member, points_settings):
    now = timezone.now()
    credit(member, 100, now=now - timedelta(days=400))
    services.adjust_points(member, -60, reason="Spent", staff_user=None, now=now)
    assert expiry.expire_points(now=now) == 40
    assert PointsAccount.objects.get(member=member).balance == 0


def test_expiry_runs_in_batches_over_many_members(points_settings):
    from tests.factories import MemberFactory

    old = timezone.now() - timedelta(days=400)
    members = [MemberFactory() for _ in range(5)]
    for m in members:
        credit(m, 10, now=old)
    assert expiry.expire_points(batch_size=2) == 50
    assert not PointsLot.objects.filter(remaining__gt=0).exists()
    assert verification.verify_balances() == []


def test_the_command_expires_and_reports(member, points_settings, capsys):
    credit(member, 10, now=timezone.now() - timedelta(days=400))
    call_command("loyalty_expire_points", "--no-reminders")
    assert "points.expire: 10" in capsys.readouterr().out


def test_members_are_reminded_once_before_their_points_expire(
    member, points_settings, mailoutbox, django_capture_on_commit_callbacks
):
    points_settings.OSCAR_LOYALTY_POINTS_EXPIRY_REMINDER_DAYS = 30
    # "Spend them on your next order" urges a purchase: advertising, so only
    # with marketing consent, and with the §30A prefix.
    record_consent(
        member.user,
        purpose="marketing",
        channel="email",
        action=ConsentRecord.GRANT,
        source=ConsentRecord.SOURCE_IMPORT,
    )
    credit(member, 250, now=timezone.now() - timedelta(days=350))
    with django_capture_on_commit_callbacks(execute=True):
        assert expiry.send_expiry_reminders() == 1
        assert expiry.send_expiry_reminders() == 0
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject.startswith("פרסומת")
    assert "250 of your club points expire soon" in message.subject
    assert "worth" in message.body and "2.50" in message.body
    assert "text/html" in message.alternatives[0][1]


def test_the_daily_task_runs_every_job(member, points_settings):
    credit(member, 10, now=timezone.now() - timedelta(days=400))
    result = run_daily_points_jobs.enqueue()
    assert result.return_value["expired_points"] == 10


def test_points_returned_to_an_expired_lot_expire_again_on_the_next_run(member, points_settings):
    from decimal import Decimal as D

    from oscar_loyalty.apps.points import redemption
    from tests.apps.points.conftest import make_basket, place, reapply

    points_settings.OSCAR_LOYALTY_POINTS_PER_UNIT = "0"
    old = credit(member, 500, now=timezone.now() - timedelta(days=400))
    basket = make_basket(member.user, prices=[D("10.00")])
    redemption.reserve_points(basket, member.user, 500)
    order = place(member.user, basket=reapply(basket))
    assert expiry.expire_points() == 0  # the lot is empty: spent before the run
    order.set_status("Cancelled")
    old.lot.refresh_from_db()
    assert old.lot.remaining == 500
    assert expiry.expire_points() == 500
    assert PointsAccount.objects.get(member=member).balance == 0
    assert verification.verify_balances() == []
