"""A small hand-built club whose report figures are known exactly (see each test)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership.models import TierChange
from oscar_loyalty.apps.points.models import PointsAccount, PointsEntry
from oscar_loyalty.apps.referrals.models import Referral, ReferralVisit
from oscar_loyalty.apps.reports.figures import refresh_figures
from tests.factories import MemberFactory, ReferralCodeFactory, TierFactory

Order = get_model("order", "Order")


def at(year, month, day, hour=12) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


def order(user, placed, *, status="Complete", total="100.00"):
    order.count = getattr(order, "count", 0) + 1
    return Order.objects.create(
        number=f"RPT{order.count:05d}-{user.pk}",
        user=user,
        total_incl_tax=D(total),
        total_excl_tax=D(total),
        date_placed=placed,
        status=status,
    )


def entry(account, kind, points, when):
    entry.count = getattr(entry, "count", 0) + 1
    return PointsEntry.objects.create(
        account=account,
        kind=kind,
        points=points,
        reason="test",
        idempotency_key=f"rpt-test-{entry.count}-{account.pk}-{kind}",
        created_at=when,
    )


@pytest.fixture
def club(db, free_plan):
    """Three members (2025):

    * Avi joined 10 Jan; orders 15 Jan, 20 Feb, 5 Mar; tier none → Silver (Jan) → Gold (Feb);
      points: +1000 earned 15 Jan, −300 spent 20 Feb, −200 expired 31 Mar; first touch "search".
    * Bat joined 20 Jan, referred by Avi; order 25 Jan, a cancelled order 10 Feb;
      tier Gold → Silver (Mar); points: +500 earned 25 Jan, +100 bonus 26 Jan, −600 expired 10 Mar.
    * Chen joined 5 Feb; never ordered; no tier.
    """
    silver = TierFactory(name="Silver", code="silver", qualifying_spend=D("0"))
    gold = TierFactory(name="Gold", code="gold", qualifying_spend=D("1000"))
    avi = MemberFactory(user=UserFactory(), plan=free_plan, joined_at=at(2025, 1, 10), tier=gold)
    bat = MemberFactory(user=UserFactory(), plan=free_plan, joined_at=at(2025, 1, 20), tier=silver)
    chen = MemberFactory(user=UserFactory(), plan=free_plan, joined_at=at(2025, 2, 5))
    first = order(avi.user, at(2025, 1, 15))
    order(avi.user, at(2025, 2, 20))
    order(avi.user, at(2025, 3, 5))
    bat_first = order(bat.user, at(2025, 1, 25))
    order(bat.user, at(2025, 2, 10), status="Cancelled")

    a = PointsAccount.objects.get_or_create(member=avi)[0]
    b = PointsAccount.objects.get_or_create(member=bat)[0]
    entry(a, PointsEntry.EARN, 1000, at(2025, 1, 15))
    entry(a, PointsEntry.REDEEM, -300, at(2025, 2, 20))
    entry(a, PointsEntry.EXPIRE, -200, at(2025, 3, 31, 10))
    entry(b, PointsEntry.EARN, 500, at(2025, 1, 25))
    entry(b, PointsEntry.BONUS, 100, at(2025, 1, 26))
    entry(b, PointsEntry.EXPIRE, -600, at(2025, 3, 10))

    TierChange.objects.create(
        member=avi,
        from_tier=None,
        to_tier=silver,
        qualifying_spend=D("100"),
        reason="order",
        created_at=at(2025, 1, 15),
    )
    TierChange.objects.create(
        member=avi,
        from_tier=silver,
        to_tier=gold,
        qualifying_spend=D("1200"),
        reason="order",
        created_at=at(2025, 2, 20),
    )
    TierChange.objects.create(
        member=bat,
        from_tier=gold,
        to_tier=silver,
        qualifying_spend=D("100"),
        reason="daily",
        created_at=at(2025, 3, 1),
    )

    code = ReferralCodeFactory(member=avi)
    for day in (3, 4, 5):
        ReferralVisit.objects.create(code=code, created_at=at(2025, 1, day))
    Referral.objects.create(
        code=code,
        referrer=avi,
        referee=bat.user,
        status=Referral.REWARDED,
        first_order=bat_first,
        created_at=at(2025, 1, 20),
    )
    first_touch = _first_touch()
    if first_touch is not None:
        first_touch.objects.create(
            visitor_id="v-avi", channel="search", member=avi, created_at=at(2025, 1, 9)
        )
    refresh_figures(full=True)
    return {"avi": avi, "bat": bat, "chen": chen, "first_order": first, "silver": silver}


def _first_touch():
    try:
        return apps.get_model("loyalty_journey", "FirstTouch")
    except LookupError:
        return None
