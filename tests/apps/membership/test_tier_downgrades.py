"""Downgrades found by the daily recalculation: a notice once, a grace period, then the drop."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent.models import ConsentRecord
from oscar_loyalty.apps.consent.services import record_consent
from oscar_loyalty.apps.membership import services
from oscar_loyalty.apps.membership.models import Member, TierChange
from tests.apps.membership.test_tiers import buy
from tests.factories import TierFactory

pytestmark = pytest.mark.usefixtures("free_plan")


def gold_member_who_falls_below(settings, *, grace=30, email="gold@example.com"):
    """A Gold member (900 spent) whose spend no longer reaches Gold once staff raise it."""
    settings.OSCAR_LOYALTY_TIER_DOWNGRADE_GRACE_DAYS = grace
    silver = TierFactory(name="Silver", qualifying_spend=D("0.00"))
    gold = TierFactory(name="Gold", qualifying_spend=D("500.00"))
    user = UserFactory(email=email)
    services.join_club(user)
    record_consent(
        user,
        purpose="marketing",
        channel="email",
        action=ConsentRecord.GRANT,
        source=ConsentRecord.SOURCE_IMPORT,
    )
    buy(user, "900.00", days_ago=10)
    assert Member.objects.get(user=user).tier == gold
    gold.qualifying_spend = D("1000.00")
    gold.save()
    return Member.objects.get(user=user), silver, gold


def notices(mailoutbox=None):
    # Read at call time: the outbox list may be replaced after the fixture handed it out.
    from django.core import mail

    return [m for m in getattr(mail, "outbox", []) if "Keep your" in m.subject]


def test_a_downgrade_is_announced_once_with_the_date_and_the_spend_still_needed(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    member, silver, gold = gold_member_who_falls_below(settings)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recompute_all_tiers(now=now) == 0
        assert services.recompute_all_tiers(now=now + timedelta(days=1)) == 0
    [mail] = notices(mailoutbox)
    assert mail.to == ["gold@example.com"]
    assert "100.00" in mail.body  # 1000 - 900
    assert "Silver" in mail.body
    assert "Gold" in mail.subject
    assert not member.tier_changes.filter(from_tier=gold).exists()


def test_the_tier_drops_once_when_the_grace_period_ends(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    member, silver, gold = gold_member_who_falls_below(settings, grace=14)
    now = timezone.now()
    services.recompute_all_tiers(now=now)
    assert services.recompute_all_tiers(now=now + timedelta(days=13, hours=23)) == 0
    assert Member.objects.get(pk=member.pk).tier == gold
    assert services.recompute_all_tiers(now=now + timedelta(days=14)) == 1
    assert services.recompute_all_tiers(now=now + timedelta(days=15)) == 0
    member.refresh_from_db()
    assert member.tier == silver and member.tier_downgrade_due_at is None
    assert member.tier_changes.filter(to_tier=silver, reason=TierChange.REASON_DAILY).count() == 1


def test_spend_back_in_time_cancels_the_downgrade(settings):
    member, silver, gold = gold_member_who_falls_below(settings)
    now = timezone.now()
    services.recompute_all_tiers(now=now)
    buy(member.user, "150.00")  # 1050 ≥ 1000 (an order during the grace keeps the tier)
    services.recompute_all_tiers(now=now + timedelta(days=31))
    member.refresh_from_db()
    assert member.tier == gold and member.tier_downgrade_due_at is None


def test_an_order_too_small_during_the_grace_period_keeps_the_tier_until_the_date(settings):
    member, silver, gold = gold_member_who_falls_below(settings)
    services.recompute_all_tiers()
    buy(member.user, "10.00")  # still below 1000: the order's recalculation must not drop it
    member.refresh_from_db()
    assert member.tier == gold and member.tier_downgrade_due_at is not None


def test_without_a_grace_period_the_tier_drops_at_once_without_a_notice(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    member, silver, gold = gold_member_who_falls_below(settings, grace=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.recompute_all_tiers() == 1
    assert Member.objects.get(pk=member.pk).tier == silver
    assert not notices(mailoutbox)


def test_the_member_home_shows_the_coming_downgrade(settings, client):
    member, silver, gold = gold_member_who_falls_below(settings)
    now = timezone.now()
    services.recompute_all_tiers(now=now)
    client.force_login(member.user)
    page = client.get(reverse("loyalty:join")).content.decode()
    assert 'id="loyalty-home-downgrade"' in page
    assert "100.00" in page


def test_the_grace_period_setting_is_checked(settings):
    from oscar_loyalty.checks import check_settings

    settings.OSCAR_LOYALTY_TIER_DOWNGRADE_GRACE_DAYS = -1
    assert any("TIER_DOWNGRADE_GRACE_DAYS" in error.msg for error in check_settings())
