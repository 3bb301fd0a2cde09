"""The membership's field of the club context (``oscar_loyalty.club``): ``member``.

The member comes with its tier (member prices, the earning rate); apps that
need more of it add their own ``select_related`` paths (points: the account).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from oscar_loyalty.club import Field, Reading, register


def read_member(row, reading: Reading):
    try:
        return row.loyalty_member
    except get_user_model().loyalty_member.RelatedObjectDoesNotExist:
        return None


register(Field("member", read=read_member, select_related=("loyalty_member__tier",)))
