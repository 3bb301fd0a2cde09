"""The offers app's daily job (``oscar_loyalty.daily``)."""

from __future__ import annotations

from oscar_loyalty import daily

from . import gifts


@daily.register("offers.birthday_gifts", order=110)
def birthday_gifts() -> int:
    """Issue today's birthday gifts (vouchers and greetings); safe to run twice a day."""
    return gifts.issue_birthday_gifts()
