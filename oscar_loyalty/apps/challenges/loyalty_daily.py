"""The challenges app's daily job (``oscar_loyalty.daily``): events a crash lost, told again."""

from __future__ import annotations

from oscar_loyalty import daily

from . import catchup


@daily.register("challenges.catch_up", order=130)
def catch_up() -> int:
    """Undo the steps of orders that stopped counting; record recent orders without steps."""
    return catchup.catch_up()
