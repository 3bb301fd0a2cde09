"""The event types told by services with no other test here, each through the real service.

Recording runs in the change's transaction (a failing describer would roll the
change back), so each type is recorded once for real: a renewal, a tier change,
a refund's reversal, a referral qualified and rewarded.
"""

import pytest
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.referrals import rewards
from oscar_loyalty.apps.referrals import services as referrals
from oscar_loyalty.apps.webhooks import events
from oscar_loyalty.apps.webhooks.models import Endpoint, Event
from tests.apps.membership.test_services import buy as buy_product
from tests.apps.membership.test_tiers import buy as buy_for
from tests.apps.membership.test_tiers import tiers as tiers  # noqa: F401
from tests.apps.points.conftest import place
from tests.apps.points.conftest import points_settings as points_settings  # noqa: F401
from tests.apps.referrals.conftest import (  # noqa: F401
    code as code,
)
from tests.apps.referrals.conftest import (
    friend as friend,
)
from tests.apps.referrals.conftest import (
    friend_offer as friend_offer,
)
from tests.apps.referrals.conftest import (
    referral_settings as referral_settings,
)
from tests.apps.referrals.conftest import (
    referrer as referrer,
)
from tests.apps.referrals.test_rewards import first_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def subscribed(db):
    return Endpoint.objects.create(
        name="CRM", url="http://127.0.0.1:9/hooks", events=list(events.EVENT_TYPES)
    )


def told(type_: str) -> list[dict]:
    return [e.payload["data"] for e in Event.objects.filter(type=type_).order_by("pk")]


def test_a_renewal_is_told_with_the_plan_and_the_new_end(vip_plan):
    user = UserFactory()
    buy_product(user, vip_plan.product)
    buy_product(user, vip_plan.product)
    member = Member.objects.get(user=user)
    renewed = told("member.renewed")
    assert renewed and renewed[-1]["plan"] == "vip"
    assert renewed[-1]["expires_at"] == member.expires_at.isoformat()


def test_a_tier_change_is_told_from_and_to(free_plan, tiers):  # noqa: F811
    from oscar_loyalty.apps.membership import services as membership

    user = UserFactory()
    membership.join_club(user)
    buy_for(user, "600.00")
    changes = told("member.tier_changed")
    assert changes[-1]["to_tier"] == tiers["gold"].code
    assert changes[-1]["from_tier"] == tiers["silver"].code


def test_a_cancelled_orders_reversal_is_told_once(points_settings):  # noqa: F811
    from oscar_loyalty.apps.points import earning
    from tests.factories import MemberFactory

    member = MemberFactory()
    order = place(member.user)
    earning.record_earning_for_order(order)
    order.set_status("Cancelled")
    order.set_status("Cancelled")  # told again by Oscar: reversed once
    reversed_ = told("points.reversed")
    assert len(reversed_) == 1
    assert reversed_[0]["order"] == {"number": str(order.number)}
    assert reversed_[0]["earned_points_reversed"] > 0


def test_a_referral_is_told_qualified_then_rewarded(code, friend):  # noqa: F811
    referral = referrals.link_referee(friend, code.code, source="checkout")
    first_order(friend)
    referral.refresh_from_db()
    assert [d["referral"] for d in told("referral.qualified")] == [referral.pk]
    assert told("referral.rewarded") == []
    rewards.mature_due_referrals(now=referral.matures_at)
    rewarded = told("referral.rewarded")
    assert [d["referral"] for d in rewarded] == [referral.pk]
    assert rewarded[0]["referrer_points"] == 500
