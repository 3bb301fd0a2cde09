"""What a member sees: the running challenges open to them, with their progress.

Read-only but for the funnel's "saw it" stage (``services.mark_seen``). A
challenge the member completed as often as allowed is shown as done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.segments.services import memberships

from . import services
from .models import Challenge, ChallengeStep, Participation


@dataclass(frozen=True)
class Progress:
    challenge: Challenge
    done: int
    completions: int

    @property
    def target(self) -> int:
        return self.challenge.target

    @property
    def finished(self) -> bool:
        """Completed as often as a member may."""
        return self.completions >= self.challenge.max_completions

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return round(100 * self.done / self.target)


def open_challenges(member: Member, *, now: datetime) -> list[Challenge]:
    running = list(Challenge.objects.running(now).select_related("segment"))
    segment_ids = {c.segment_id for c in running if c.segment_id}
    inside = memberships(member, segment_ids, now=now) if segment_ids else set()
    return [c for c in running if not c.segment_id or c.segment_id in inside]


def progress_for(
    member: Member | None, *, now: datetime | None = None, mark_seen: bool = True
) -> list[Progress]:
    """The member's running challenges, each with its progress (a few queries in all)."""
    if member is None or member.status != Member.ACTIVE:
        return []
    now = now or timezone.now()
    challenges = open_challenges(member, now=now)
    if not challenges:
        return []
    free = ChallengeStep.objects.filter(undone_at__isnull=True, completion__isnull=True).order_by(
        "occurred_at", "pk"
    )
    rows = {
        p.challenge_id: p
        for p in Participation.objects.filter(
            member=member, challenge__in=challenges
        ).prefetch_related(Prefetch("steps", queryset=free, to_attr="free_steps"))
    }
    if mark_seen:
        services.mark_seen(member, challenges, now=now)
    shown = []
    for challenge in challenges:
        row = rows.get(challenge.pk)
        steps = row.free_steps if row else []
        completions = row.completions if row else 0
        done = services.progress_of(challenge, steps, now=now)
        shown.append(Progress(challenge=challenge, done=done, completions=completions))
    return shown
