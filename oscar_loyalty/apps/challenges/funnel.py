"""The completion funnel staff see per challenge: saw, started, reached step k, completed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from .models import Challenge, ChallengeStep, Completion, Participation


@dataclass(frozen=True)
class Funnel:
    saw: int
    started: int
    reached: list[tuple[int, int]]  # (step k, members who reached it)
    completed: int
    completions: int
    reversed: int


def funnel(challenge: Challenge) -> Funnel:
    """Counts of members (a handful of aggregate queries, whatever the number of members)."""
    rows = Participation.objects.filter(challenge=challenge)
    saw = rows.filter(seen_at__isnull=False).count()
    started = rows.filter(started_at__isnull=False).count()
    steps = ChallengeStep.objects.filter(
        participation__challenge=challenge, undone_at__isnull=True
    ).values("participation")
    distinct = challenge.kind == Challenge.CATEGORIES
    per_member = steps.annotate(n=Count("value" if distinct else "pk", distinct=distinct))
    counts = [min(row["n"], challenge.target) for row in per_member.order_by()]
    reached = [(k, sum(1 for n in counts if n >= k)) for k in range(1, challenge.target + 1)]
    done = Completion.objects.filter(participation__challenge=challenge)
    return Funnel(
        saw=saw,
        started=started,
        reached=reached,
        completed=done.filter(reversed_at__isnull=True).values("participation").distinct().count(),
        completions=done.filter(reversed_at__isnull=True).count(),
        reversed=done.filter(reversed_at__isnull=False).count(),
    )
