"""The actions app's daily jobs (``oscar_loyalty.daily``)."""

from __future__ import annotations

from oscar_loyalty import daily

from . import kinds


@daily.register("actions.catch_up", order=20)
def catch_up(*, days: int | None = None) -> dict[str, int]:
    """Earn or take back action points a crash between a change and its hook lost."""
    return kinds.catch_up(days=days)


@daily.register("actions.anniversaries", order=110)
def anniversaries() -> int:
    """Award the membership anniversary rules (looking back a week for missed runs)."""
    return kinds.award_anniversaries()
