"""The segments app's daily job (``oscar_loyalty.daily``)."""

from __future__ import annotations

from oscar_loyalty import daily

from . import services


@daily.register("segments.member_stats", order=130)
def member_stats() -> int:
    """Recompute every member's order figures and RFM scores (behind segments)."""
    return services.refresh_member_stats()
