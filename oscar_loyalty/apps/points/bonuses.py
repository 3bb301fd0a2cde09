"""One-off bonuses: joining, birthday, confirmed newsletter opt-in, completed profile.

Each is credited once (a unique key per member and kind, per year for
birthdays) and only to members with benefits.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from oscar_loyalty import app_settings
from oscar_loyalty.exceptions import PointsError

from .models import PointsEntry
from .services import _now, credit_locked, lock_account, validate_points

# Stored in English as the ledger's reason; marked for the catalogue so that
# the member's history page shows them translated ({% translate entry.reason %}).
BONUS_KINDS = {
    "join": gettext_noop("Welcome to the club"),
    "birthday": gettext_noop("Happy birthday"),
    "newsletter": gettext_noop("Newsletter subscription confirmed"),
    "profile": gettext_noop("Profile completed"),
}


def bonus_key(member, kind: str, *, now: datetime) -> str:
    """The ledger key of a bonus: once per member and kind, per year for birthdays."""
    suffix = f":{timezone.localtime(now).year}" if kind == "birthday" else ""
    return f"bonus:{kind}:{member.pk}{suffix}"


def bonuses_received(member, kinds, *, now: datetime) -> set[str]:
    """Which of the one-off bonuses ``kinds`` the member has had: one query."""
    keys = {bonus_key(member, kind, now=now): kind for kind in kinds}
    if not keys:
        return set()
    found = PointsEntry.objects.filter(idempotency_key__in=keys).values_list(
        "idempotency_key", flat=True
    )
    return {keys[key] for key in found}


def award_bonus(
    member,
    *,
    kind: str,
    points: int | None = None,
    key: str | None = None,
    now: datetime | None = None,
) -> PointsEntry | None:
    """Credit a one-off bonus once; a repeat is ignored (returns ``None``).

    The key is per member and kind, and per year for birthdays. Points
    default to ``OSCAR_LOYALTY_POINTS_BONUSES[kind]``; 0 awards nothing.
    Only members with benefits get bonuses.
    """
    if kind not in BONUS_KINDS:
        raise PointsError(f"Unknown bonus {kind!r}; use one of {sorted(BONUS_KINDS)}.")
    now = _now(now)
    points = app_settings.POINTS_BONUSES.get(kind, 0) if points is None else points
    if not points or not member.has_benefits(now):
        return None
    validate_points(points)
    key = key or bonus_key(member, kind, now=now)
    with transaction.atomic():
        account = lock_account(member)
        if PointsEntry.objects.filter(idempotency_key=key).exists():
            return None
        return credit_locked(
            account, points, kind=PointsEntry.BONUS, reason=BONUS_KINDS[kind], key=key, now=now
        )


PROFILE_BONUS_FIELDS = ("birthday", "city", "region", "preferred_channels")
#: A birthday changed this recently earns no birthday bonus (no moving it to today).
BIRTHDAY_CHANGE_WAIT = timedelta(days=60)


def is_profile_complete(member) -> bool:
    return all(getattr(member, name) for name in PROFILE_BONUS_FIELDS)


def award_profile_bonus(member, *, now: datetime | None = None) -> PointsEntry | None:
    """The "completed profile" bonus, once, when every field in PROFILE_BONUS_FIELDS is set."""
    if not is_profile_complete(member):
        return None
    return award_bonus(member, kind="profile", now=now)


def award_birthday_bonuses(*, now: datetime | None = None) -> int:
    """Daily: the birthday bonus for members whose birthday is today (store time zone).

    29 February birthdays are celebrated on 28 February in other years. Once a
    year per member (the key holds the year); a recently changed birthday waits.
    """
    now = _now(now)
    if not app_settings.POINTS_BONUSES.get("birthday"):
        return 0
    from oscar_loyalty.apps.membership.models import Member

    today = timezone.localtime(now).date()
    days = [today.day]
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
        days.append(29)
    members = Member.objects.filter(
        status=Member.ACTIVE, birthday__month=today.month, birthday__day__in=days
    ).filter(
        Q(birthday_changed_at__isnull=True)
        | Q(birthday_changed_at__lte=now - BIRTHDAY_CHANGE_WAIT)
    )
    awarded = 0
    for member in members.iterator():
        if award_bonus(member, kind="birthday", now=now):
            awarded += 1
    return awarded
