"""Every change of challenge progress: steps recorded and undone, completions, rewards.

Each change locks the member's ``Participation`` row first (then, for points,
the points account: always in that order), re-reads the steps inside the
lock and decides there, so two events for one member at once complete a
challenge once. Steps are keyed by their source, so a replayed event changes
nothing; a reward is written under a ledger key (``challenge:<pk>``) and
reversed under another (``challenge:<pk>:reverse``): once each, whatever
is replayed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.offers.gifts import issue_voucher
from oscar_loyalty.apps.points.models import PointsEntry
from oscar_loyalty.apps.points.services import credit_locked, debit_locked, lock_account
from oscar_loyalty.apps.segments.services import contains

from .models import Challenge, ChallengeStep, Completion, Participation

logger = logging.getLogger(__name__)

#: The ledger's reasons (English, translated on display: ``oscar_loyalty.reasons``).
REASON_COMPLETED = gettext_noop("Challenge completed")
REASON_REVERSED = gettext_noop("Challenge reversed")
#: How long a voucher won in a challenge stays valid.
VOUCHER_DAYS = 90


@dataclass(frozen=True)
class Step:
    """One step as a source tells it (an order, a category bought, a friend, a review)."""

    key: str
    value: str
    source: str
    occurred_at: datetime


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _in_window(challenge: Challenge, at: datetime) -> bool:
    return challenge.starts_at <= at and (challenge.ends_at is None or at < challenge.ends_at)


def lock_participation(challenge: Challenge, member: Member) -> Participation:
    """The member's row for the challenge, made if missing, locked (inside a transaction)."""
    # get_or_create survives a concurrent insert (it reads the winner's row).
    Participation.objects.get_or_create(challenge=challenge, member=member)
    return Participation.objects.select_for_update().get(challenge=challenge, member=member)


def record(
    member: Member,
    *,
    kind: str,
    steps: Iterable[Step],
    revive: bool = False,
    now: datetime | None = None,
) -> list[Completion]:
    """Record ``steps`` in every running challenge of ``kind`` the member takes part in.

    A step outside a challenge's window, or for a member outside its segment,
    does not count there. A step already recorded is left as it is, unless
    ``revive`` (a review approved again) brings an undone one back. Returns the
    completions made.
    """
    now = _now(now)
    steps = list(steps)
    if not steps or member.status != Member.ACTIVE:
        return []
    made: list[Completion] = []
    for challenge in Challenge.objects.filter(kind=kind, is_active=True).select_related(
        "segment", "reward_offer", "reward_draw"
    ):
        counted = [step for step in steps if _in_window(challenge, step.occurred_at)]
        if not counted:
            continue
        if challenge.segment_id and not contains(challenge.segment, member, now=now):
            continue
        with transaction.atomic():
            participation = lock_participation(challenge, member)
            # Recorded even past the limit: if a completion is reversed later,
            # the steps that came meanwhile still count.
            _add_steps_locked(participation, counted, revive=revive, now=now)
            made.extend(_complete_locked(participation, challenge, member, now=now))
    return made


def _add_steps_locked(
    participation: Participation, steps: list[Step], *, revive: bool, now: datetime
) -> None:
    known = {s.key: s for s in participation.steps.filter(key__in=[s.key for s in steps])}
    for step in steps:
        existing = known.get(step.key)
        if existing is None:
            ChallengeStep.objects.create(
                participation=participation,
                key=step.key[:96],
                value=step.value[:64],
                source=step.source[:64],
                occurred_at=step.occurred_at,
            )
        elif revive and existing.undone_at is not None:
            existing.undone_at = None
            existing.completion = None
            existing.occurred_at = step.occurred_at
            existing.save(update_fields=["undone_at", "completion", "occurred_at"])
    if participation.started_at is None:
        participation.started_at = now
        participation.save(update_fields=["started_at"])


def free_steps(participation: Participation) -> list[ChallengeStep]:
    """Steps that count and no completion used yet, oldest first."""
    return list(
        participation.steps.filter(undone_at__isnull=True, completion__isnull=True).order_by(
            "occurred_at", "pk"
        )
    )


def pick(challenge: Challenge, steps: list[ChallengeStep]) -> list[ChallengeStep] | None:
    """The steps that complete the challenge, or ``None``: one rule per kind, no other."""
    target = challenge.target
    if challenge.kind == Challenge.CATEGORIES:
        first_of_each: dict[str, ChallengeStep] = {}
        for step in steps:
            first_of_each.setdefault(step.value, step)
        chosen = list(first_of_each.values())
        return chosen[:target] if len(chosen) >= target else None
    if challenge.kind == Challenge.ORDERS and challenge.period_days:
        span = timedelta(days=challenge.period_days)
        for i in range(len(steps) - target + 1):
            if steps[i + target - 1].occurred_at - steps[i].occurred_at <= span:
                return steps[i : i + target]
        return None
    return steps[:target] if len(steps) >= target else None


def progress_of(challenge: Challenge, steps: list[ChallengeStep], *, now: datetime) -> int:
    """How many of the target's steps the member has now (at most the target)."""
    if challenge.kind == Challenge.CATEGORIES:
        done = len({step.value for step in steps})
    elif challenge.kind == Challenge.ORDERS and challenge.period_days:
        since = now - timedelta(days=challenge.period_days)
        done = sum(1 for step in steps if step.occurred_at >= since)
    else:
        done = len(steps)
    return min(done, challenge.target)


def _complete_locked(
    participation: Participation, challenge: Challenge, member: Member, *, now: datetime
) -> list[Completion]:
    made = []
    while participation.completions < challenge.max_completions:
        chosen = pick(challenge, free_steps(participation))
        if chosen is None:
            break
        completion = Completion.objects.create(
            participation=participation,
            number=participation.completion_set.count() + 1,
            completed_at=now,
            reward_kind=challenge.reward_kind,
        )
        ChallengeStep.objects.filter(pk__in=[s.pk for s in chosen]).update(completion=completion)
        participation.completions += 1
        participation.save(update_fields=["completions"])
        _give_reward(challenge, member, completion, now=now)
        made.append(completion)
    return made


def _give_reward(challenge: Challenge, member: Member, completion: Completion, *, now) -> None:
    if challenge.reward_kind == Challenge.POINTS and challenge.reward_points:
        account = lock_account(member)
        if not PointsEntry.objects.filter(idempotency_key=completion.points_key).exists():
            credit_locked(
                account,
                challenge.reward_points,
                kind=PointsEntry.BONUS,
                reason=REASON_COMPLETED,
                key=completion.points_key,
                now=now,
            )
        completion.points = challenge.reward_points
    elif challenge.reward_kind == Challenge.VOUCHER and challenge.reward_offer_id:
        completion.voucher = issue_voucher(
            member,
            offer_slug=challenge.reward_offer.slug,
            name=f"{challenge.name} {member.number}",
            starts_at=now,
            ends_at=now + timedelta(days=VOUCHER_DAYS),
        )
    elif challenge.reward_kind == Challenge.DRAW and challenge.reward_draw_id:
        # A draw already run takes no more entries: its winners stand.
        if challenge.reward_draw.drawn_at is None:
            completion.draw = challenge.reward_draw
    completion.save(update_fields=["points", "voucher", "draw"])


def undo(*, source: str, keys: Iterable[str] | None = None, now: datetime | None = None) -> int:
    """Undo the steps of ``source`` (only ``keys`` of it, if given) in every challenge.

    A completion that used an undone step is reversed, reward included, once;
    its other steps count again (and may complete the challenge again).
    Returns the steps undone. Idempotent: an undone step is never undone twice.
    """
    now = _now(now)
    steps = ChallengeStep.objects.filter(source=source, undone_at__isnull=True)
    if keys is not None:
        steps = steps.filter(key__in=list(keys))
    undone = 0
    for participation_id in set(steps.values_list("participation_id", flat=True)):
        with transaction.atomic():
            participation = (
                Participation.objects.select_for_update()
                .select_related("challenge", "member")
                .get(pk=participation_id)
            )
            # Read again inside the lock: another worker may have undone them.
            mine = list(steps.filter(participation=participation))
            if not mine:
                continue
            ChallengeStep.objects.filter(pk__in=[s.pk for s in mine]).update(undone_at=now)
            undone += len(mine)
            used = {s.completion_id for s in mine if s.completion_id}
            for completion in Completion.objects.filter(pk__in=used, reversed_at__isnull=True):
                _reverse_locked(participation, completion, now=now)
            challenge = participation.challenge
            if challenge.is_active:
                _complete_locked(participation, challenge, participation.member, now=now)
    return undone


def _reverse_locked(participation: Participation, completion: Completion, *, now) -> None:
    completion.reversed_at = now
    completion.save(update_fields=["reversed_at"])
    completion.steps.filter(undone_at__isnull=True).update(completion=None)
    Participation.objects.filter(pk=participation.pk).update(completions=F("completions") - 1)
    participation.completions -= 1
    if completion.points:
        account = lock_account(participation.member)
        if not PointsEntry.objects.filter(idempotency_key=completion.reversal_key).exists():
            # Points already spent become a debt, as for any reversal.
            debit_locked(
                account,
                completion.points,
                kind=PointsEntry.REVERSE,
                reason=REASON_REVERSED,
                key=completion.reversal_key,
                now=now,
                allow_debt=True,
            )
    voucher = completion.voucher
    if voucher is not None and not voucher.num_orders and voucher.end_datetime > now:
        # An unused voucher ends now; one already used stays used (no claw-back of money).
        voucher.end_datetime = now
        voucher.save(update_fields=["end_datetime"])
    # A draw entry counts only while not reversed (``draw_tickets``).


def draw_tickets(draw, member_ids: list[int]) -> dict[int, int]:
    """Tickets each member won in challenges for ``draw``: one per completion not reversed."""
    rows = (
        Completion.objects.filter(
            draw=draw, reversed_at__isnull=True, participation__member_id__in=member_ids
        )
        .values_list("participation__member_id", flat=True)
        .order_by()
    )
    tickets: dict[int, int] = {}
    for member_id in rows:
        tickets[member_id] = tickets.get(member_id, 0) + 1
    return tickets


def mark_seen(member: Member, challenges: list[Challenge], *, now: datetime | None = None) -> None:
    """The funnel's first stage: the member was shown these challenges (once each)."""
    now = _now(now)
    ids = {c.pk for c in challenges}
    if not ids:
        return
    have = set(
        Participation.objects.filter(member=member, challenge_id__in=ids).values_list(
            "challenge_id", flat=True
        )
    )
    Participation.objects.bulk_create(
        [Participation(challenge_id=pk, member=member, seen_at=now) for pk in ids - have],
        ignore_conflicts=True,
    )
    Participation.objects.filter(
        member=member, challenge_id__in=ids & have, seen_at__isnull=True
    ).update(seen_at=now)
