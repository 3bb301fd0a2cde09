"""The referral app's daily job (``oscar_loyalty.daily``)."""

from __future__ import annotations

from oscar_loyalty import daily

from . import rewards


@daily.register("referrals.mature", order=120)
def mature() -> int:
    """Reward referrals whose friend's first order is past the return window."""
    return rewards.mature_due_referrals()
