"""Two daily runs at once on PostgreSQL: one downgrade notice, one downgrade."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oscar_loyalty.apps.membership import services
from oscar_loyalty.apps.membership.models import Member, TierChange
from tests.apps.membership.test_tier_downgrades import gold_member_who_falls_below, notices
from tests.concurrency import postgres_races, run_in_threads

pytestmark = [
    *postgres_races("two daily runs holding and applying one downgrade"),
    pytest.mark.usefixtures("free_plan"),
]


def test_two_concurrent_daily_runs_send_one_notice_and_apply_the_downgrade_once(
    settings, mailoutbox
):
    member, silver, gold = gold_member_who_falls_below(settings, grace=7)
    now = timezone.now()
    # Real commits: the notices go out from on_commit in each thread.
    results, errors = run_in_threads(lambda i: services.recompute_all_tiers(now=now), 2)
    assert (results, errors) == ([0, 0], [])
    member.refresh_from_db()
    assert member.tier == gold and member.tier_downgrade_due_at == now + timedelta(days=7)
    assert len(notices(mailoutbox)) == 1

    later = now + timedelta(days=7)
    results, errors = run_in_threads(lambda i: services.recompute_all_tiers(now=later), 2)
    assert sorted(results) == [0, 1] and errors == []
    member.refresh_from_db()
    assert member.tier == silver
    assert member.tier_changes.filter(to_tier=silver, reason=TierChange.REASON_DAILY).count() == 1
    assert Member.objects.filter(pk=member.pk, tier_downgrade_due_at__isnull=True).exists()
