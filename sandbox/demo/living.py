"""What makes the demo store look run for a year (issue #20), after the hand-made members.

``loyalty_demo_data`` calls these once, after the catalogue, plans, tiers and
the hand-made members exist:

* ``generate_history``: about 2,000 generated members with a year of orders,
  points, referrals and newsletter deliveries (``sandbox.demo.generator``, the
  same generator as the benchmarks, at a small scale);
* ``cover_referral_states``: the generator writes the states a plain history
  gives (signed up, pending, rewarded, reversed); staff also meet referrals in
  review, rejected and over the referrer's cap, so a few pending or rewarded
  ones are moved there, with what staff would have recorded;
* ``schedule_campaign``: a campaign scheduled for next week beside the sent
  ones of every month (the generator's);
* ``run_finished_draw``: a draw that ended last month and was drawn.

Each is a function of the sandbox, not a service of the add-on: it writes demo
state the add-on's own services would have written over time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.apps import apps
from django.utils import timezone

DEMO_SEED = 20261206


def generate_history(*, members: int, years: float = 1.0, progress=None):
    """``members`` generated members with ``years`` of history; returns the generator's stats."""
    from sandbox.demo.generator import generate

    return generate(
        members=members,
        orders_per_member=3.0,
        seed=DEMO_SEED,
        batch=max(members, 1),
        years=years,
        progress=progress,
    )


# Every referral state, each made (when the history lacks it) from a referral of a
# state that keeps at least one of its own, with the fields staff or the club would
# have set. A history gives linked, pending, rewarded and reversed; at a small scale
# (the tests' 200 members) its random draw may miss some of them.
REVIEW_REASON = "The friend's shipping address matches the referrer's."


def _state_fields(now: datetime, staff) -> dict[str, dict]:
    from oscar_loyalty.apps.referrals.models import Referral

    unrewarded = {"rewarded_at": None, "friend_points": 0, "referrer_points": 0}
    return {
        Referral.LINKED: {**unrewarded, "qualified_at": None, "first_order": None},
        Referral.PENDING: {**unrewarded, "qualified_at": now - timedelta(days=5)},
        Referral.REVERSED: {
            **unrewarded,
            "qualified_at": now - timedelta(days=40),
            "reversed_at": now - timedelta(days=38),
        },
        Referral.REVIEW: {**unrewarded, "review_reasons": [REVIEW_REASON]},
        Referral.REJECTED: {
            **unrewarded,
            "review_reasons": [REVIEW_REASON],
            "reviewed_by": staff,
            "reviewed_at": now - timedelta(days=3),
        },
        Referral.CAPPED: unrewarded,
    }


def _new_referral(*, status: str, fields: dict, now: datetime) -> None:
    from oscar_loyalty.apps.membership.models import Member
    from oscar_loyalty.apps.referrals.models import Referral, ReferralCode

    code = ReferralCode.objects.order_by("pk").first()
    if code is None:
        return
    referee = (
        Member.objects.exclude(pk=code.member_id)
        .filter(user__loyalty_referral__isnull=True)
        .order_by("pk")
        .first()
    )
    if referee is None:
        return
    fields = {key: value for key, value in fields.items() if key != "first_order"}
    Referral.objects.create(
        code=code,
        referrer_id=code.member_id,
        referee_id=referee.user_id,
        status=status,
        created_at=now - timedelta(days=45),
        **fields,
    )


def cover_referral_states(*, staff, now: datetime | None = None) -> dict[str, int]:
    """Make sure every referral state occurs at least once; ``{state: count}`` afterwards."""
    if not apps.is_installed("oscar_loyalty.apps.referrals"):
        return {}
    from django.db.models import Count

    from oscar_loyalty.apps.referrals.models import Referral

    now = now or timezone.now()
    for status, fields in _state_fields(now, staff).items():
        if Referral.objects.filter(status=status).exists():
            continue
        counts = dict(Referral.objects.values_list("status").annotate(n=Count("pk")).order_by())
        # Take from a state that keeps at least one referral of its own.
        donor = next(
            (
                state
                for state in (Referral.REWARDED, Referral.PENDING, Referral.LINKED)
                if counts.get(state, 0) > 1
            ),
            None,
        )
        if donor is None:
            # Too few referrals to lend one: a new one, a member referred by another.
            _new_referral(status=status, fields=fields, now=now)
            continue
        referral = Referral.objects.filter(status=donor).order_by("-created_at", "-pk").first()
        Referral.objects.filter(pk=referral.pk).update(status=status, **fields)
    return dict(Referral.objects.values_list("status").annotate(n=Count("pk")).order_by())


def schedule_campaign(*, staff, now: datetime | None = None):
    """A newsletter campaign scheduled for next week (sent ones come from the generator)."""
    if not apps.is_installed("oscar_loyalty.apps.newsletter"):
        return None
    from oscar_loyalty.apps.newsletter.models import Campaign, Newsletter
    from oscar_loyalty.apps.newsletter.services import schedule_campaign as schedule

    now = now or timezone.now()
    newsletter = Newsletter.objects.create(
        title="Next week's club news",
        subject="Double points this weekend",
        preheader="Members earn twice the points on every order.",
        language="he",
        live=True,
        body=[
            ("heading", "Double points this weekend"),
            ("paragraph", "<p>Every order from Friday to Sunday earns twice the points.</p>"),
        ],
    )
    campaign = Campaign.objects.create(
        name="Double points weekend", newsletter=newsletter, created_by=staff
    )
    return schedule(campaign, at=(now + timedelta(days=7)).replace(microsecond=0))


def run_finished_draw(*, now: datetime | None = None):
    """A monthly draw among members who spent in it, ended and drawn; ``None`` if no entry."""
    if not apps.is_installed("oscar_loyalty.apps.offers"):
        return None
    from decimal import Decimal

    from oscar_loyalty.apps.offers.draws import run_draw
    from oscar_loyalty.apps.offers.models import PrizeDraw
    from oscar_loyalty.exceptions import DrawNotReady

    now = now or timezone.now()
    ended = (now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)) - timedelta(days=1)
    started = ended.replace(day=1)
    draw = PrizeDraw.objects.create(
        name=f"{started:%B} shopping draw",
        prize="A weekend for two in Eilat",
        winners_count=3,
        min_spend=Decimal("100.00"),
        spend_from=started,
        spend_until=ended,
        starts_at=started,
        ends_at=ended,
    )
    try:
        draw, _winners = run_draw(draw, seed=f"demo-{DEMO_SEED}", now=ended + timedelta(hours=9))
    except DrawNotReady:
        draw.delete()
        return None
    return draw
