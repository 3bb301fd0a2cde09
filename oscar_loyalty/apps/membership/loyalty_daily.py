"""The membership app's daily jobs (``oscar_loyalty.daily``)."""

from __future__ import annotations

from oscar_loyalty import daily

from . import services


@daily.register("membership.reconcile_orders", order=20)
def reconcile_orders() -> int:
    """Activate memberships bought in the last week that a failed receiver missed."""
    return services.reconcile_recent_orders()


@daily.register("membership.expire", order=30)
def expire() -> int:
    """Expire memberships whose end has passed."""
    return services.expire_memberships()


@daily.register("membership.renewal_reminders", order=40)
def renewal_reminders() -> int:
    """Remind paid members whose membership ends soon (once per expiry)."""
    return services.send_renewal_reminders()


@daily.register("membership.recompute_tiers", order=50)
def recompute_tiers() -> int:
    """Recompute every member's tier (after expiry: an expired member keeps no tier)."""
    return services.recompute_all_tiers()
