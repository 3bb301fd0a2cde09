"""Earning and taking back points for actions: the one path every rule kind uses.

Each change runs in ``transaction.atomic()`` with the member's points account
locked (``points.services.lock_account``), decides inside the lock (the award
row, the rule re-read, the cap counted), and writes the ledger through the
points primitives (``credit_locked``, ``debit_locked``) under a unique key per
award and earning: ``action:<award>:earn:<n>`` and ``action:<award>:reverse:<n>``.
A replay finds the award already in the wanted state and writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points.models import PointsEntry
from oscar_loyalty.apps.points.services import credit_locked, debit_locked, lock_account
from oscar_loyalty.exceptions import ActionError, ActionKeyReused, UnknownAction

from .models import CODE_PATTERN, ActionAward, ActionCredit, ActionRule

_CODE = re.compile(CODE_PATTERN)
KEY_LENGTH = 128


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# Rules: who may earn, and how often ----------------------------------------


def period_start(period: str, now: datetime) -> datetime | None:
    """Start of the cap period holding ``now`` (store time zone); ``None`` for "in total"."""
    local = timezone.localtime(now)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == ActionRule.DAY:
        return day
    if period == ActionRule.WEEK:
        return day - timedelta(days=day.weekday())  # Monday
    if period == ActionRule.MONTH:
        return day.replace(day=1)
    if period == ActionRule.YEAR:
        return day.replace(month=1, day=1)
    return None


def is_eligible(rule: ActionRule, member: Member, *, now: datetime) -> bool:
    """Benefits now, in one of the rule's tiers (if any) and in its segment (if any)."""
    if not member.has_benefits(now):
        return False
    tier_ids = {tier.pk for tier in rule.tiers.all()}
    if tier_ids and member.tier_id not in tier_ids:
        return False
    if rule.segment_id is not None:
        if not apps.is_installed("oscar_loyalty.apps.segments"):
            return False  # fails closed; checks.py warns
        from oscar_loyalty.apps.segments import services as segments
        from oscar_loyalty.apps.segments.models import Segment

        segment = Segment.objects.filter(pk=rule.segment_id).first()
        if segment is None or not segments.contains(segment, member, now=now):
            return False
    return True


def under_cap(rule: ActionRule, member: Member, *, now: datetime) -> bool:
    """Fewer of the rule's awards standing in this period than its cap (account locked)."""
    if rule.cap_count is None:
        return True
    standing = ActionAward.objects.filter(rule=rule, member=member, status=ActionAward.EARNED)
    start = period_start(rule.cap_period, now)
    if start is not None:
        standing = standing.filter(earned_at__gte=start)
    return standing.count() < rule.cap_count


def running_rules(kind: str, *, now: datetime | None = None):
    """The rules of ``kind`` switched on and inside their schedule."""
    now = _now(now)
    return [
        rule
        for rule in ActionRule.objects.filter(kind=kind, is_active=True)
        if rule.is_running(now)
    ]


# The one path to the ledger -------------------------------------------------


def _credit(account, award: ActionAward, rule: ActionRule, points: int, kind: str, key, now):
    if points > 0:
        entry = credit_locked(account, points, kind=kind, reason=rule.name, key=key, now=now)
    else:
        # Taken back like an order's earning: what was spent meanwhile becomes a debt.
        entry = debit_locked(
            account, -points, kind=kind, reason=rule.name, key=key, now=now, allow_debt=True
        )
    ActionCredit.objects.create(entry=entry, award=award, rule=rule, points=points, created_at=now)
    return entry


def earn_locked(
    account,
    rule: ActionRule,
    member: Member,
    object_key: str,
    *,
    now: datetime,
    idempotency_key: str | None = None,
) -> ActionAward | None:
    """Earn ``rule`` for ``object_key`` once (account locked by the caller).

    Returns the award standing (earned now or before), or ``None`` when the rule
    does not give it now (switched off, out of schedule, not eligible, capped).
    """
    award = (
        ActionAward.objects.select_for_update()
        .filter(rule=rule, member=member, object_key=object_key)
        .first()
    )
    if award is not None and award.status == ActionAward.EARNED:
        return award
    rule = ActionRule.objects.get(pk=rule.pk)  # a stale copy may be switched off by now
    if not (rule.is_running(now) and is_eligible(rule, member, now=now)):
        return None
    if not under_cap(rule, member, now=now):
        return None
    if award is None:
        award = ActionAward.objects.create(
            rule=rule,
            member=member,
            object_key=object_key,
            idempotency_key=idempotency_key,
            status=ActionAward.EARNED,
            points=rule.points,
            earned_at=now,
            created_at=now,
        )
    times = award.times_earned + 1
    _credit(
        account,
        award,
        rule,
        rule.points,
        PointsEntry.BONUS,
        f"action:{award.pk}:earn:{times}",
        now,
    )
    award.status, award.points, award.times_earned = ActionAward.EARNED, rule.points, times
    award.earned_at, award.reversed_at = now, None
    award.save(update_fields=["status", "points", "times_earned", "earned_at", "reversed_at"])
    return award


def take_back_locked(account, award: ActionAward, *, now: datetime) -> ActionAward:
    """Reverse a standing award's points (account locked by the caller); a repeat does nothing."""
    award = ActionAward.objects.select_for_update().select_related("rule").get(pk=award.pk)
    if award.status != ActionAward.EARNED:
        return award
    key = f"action:{award.pk}:reverse:{award.times_earned}"
    _credit(account, award, award.rule, -award.points, PointsEntry.REVERSE, key, now)
    award.status, award.reversed_at = ActionAward.REVERSED, now
    award.save(update_fields=["status", "reversed_at"])
    return award


def sync(
    member: Member,
    *,
    kind: str,
    object_key: str,
    wanted: Callable[[], bool],
    reversible: bool = True,
    now: datetime | None = None,
) -> int:
    """Make the member's awards of ``kind`` for ``object_key`` follow ``wanted()``.

    ``wanted`` is read inside the lock, so of two syncs racing after a change
    the later one sees the final state: earned when it holds, taken back when
    it no longer does (if ``reversible``). Returns the points moved (signed).
    """
    now = _now(now)
    moved = 0
    if not ActionRule.objects.filter(kind=kind, is_active=True).exists() and not (
        ActionAward.objects.filter(member=member, rule__kind=kind, object_key=object_key).exists()
    ):
        return 0  # nothing to earn or take back: no lock, no write (most saves)
    with transaction.atomic():
        account = lock_account(member)
        standing = list(
            ActionAward.objects.select_for_update().filter(
                member=member, rule__kind=kind, object_key=object_key
            )
        )
        if wanted():
            for rule in running_rules(kind, now=now):
                before = next((a for a in standing if a.rule_id == rule.pk), None)
                was_earned = before is not None and before.status == ActionAward.EARNED
                award = earn_locked(account, rule, member, object_key, now=now)
                if award is not None and not was_earned:
                    moved += award.points
        elif reversible:
            for award in standing:
                if award.status == ActionAward.EARNED:
                    take_back_locked(account, award, now=now)
                    moved -= award.points
    return moved


# Custom actions: the store's own --------------------------------------------


def _clean_key(value) -> str | None:
    """A key as given (Unicode is fine: it is compared exactly), or ``ActionError``."""
    if value is None:
        return None
    value = str(value)
    if not value or len(value) > KEY_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ActionError(
            _("A key must be 1 to %(length)s printable characters.") % {"length": KEY_LENGTH}
        )
    return value


def _member_of(user) -> Member | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None  # a guest (AnonymousUser) is no member
    return Member.objects.filter(user=user).first()


def record_action(
    *,
    user,
    code: str,
    object_key: str | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> ActionAward | None:
    """Credit the custom action ``code`` to ``user``'s membership, once per object.

    ``object_key`` names what earned it (one award per rule, member and object:
    "app", "store:12:2026-12-07"); ``idempotency_key`` is the caller's retry key
    (a second call with it returns the first result). At least one is needed;
    the object defaults to the key. Returns the award standing, or ``None``
    when the rule does not give it now (off, out of schedule, not eligible,
    capped) or the user is no member. Raises ``UnknownAction`` for a code no
    custom rule has (compared exactly: ASCII only), ``ActionKeyReused`` when
    the key recorded something else, ``ActionError`` for a malformed key.
    """
    now = _now(now)
    if not isinstance(code, str) or not _CODE.match(code):
        raise UnknownAction()
    rule = ActionRule.objects.filter(kind=ActionRule.CUSTOM, code=code).first()
    if rule is None:
        raise UnknownAction()
    object_key = _clean_key(object_key)
    idempotency_key = _clean_key(idempotency_key)
    if object_key is None and idempotency_key is None:
        raise ActionError(
            _("Give an object key or an idempotency key, so that a retry earns nothing twice.")
        )
    object_key = object_key or idempotency_key
    member = _member_of(user)
    if member is None:
        return None
    with transaction.atomic():
        account = lock_account(member)
        if idempotency_key is not None:
            done = ActionAward.objects.filter(idempotency_key=idempotency_key).first()
            if done is not None:
                if (done.rule_id, done.member_id, done.object_key) != (
                    rule.pk,
                    member.pk,
                    object_key,
                ):
                    raise ActionKeyReused()
                return done if done.status == ActionAward.EARNED else None
        return earn_locked(
            account, rule, member, object_key, now=now, idempotency_key=idempotency_key
        )


def take_back_action(*, user, code: str, object_key: str, now: datetime | None = None) -> bool:
    """Reverse a custom action's points (the store undoes it); ``False`` if none stand."""
    if not isinstance(code, str) or not _CODE.match(code):
        raise UnknownAction()
    member = _member_of(user)
    award = (
        ActionAward.objects.filter(
            rule__kind=ActionRule.CUSTOM, rule__code=code, member=member, object_key=object_key
        ).first()
        if member is not None
        else None
    )
    if award is None:
        return False
    with transaction.atomic():
        account = lock_account(member)
        # Read again under the lock: a stale copy may say "earned" after another undo.
        award = ActionAward.objects.select_for_update().get(pk=award.pk)
        if award.status != ActionAward.EARNED:
            return False
        take_back_locked(account, award, now=_now(now))
    return True


def awards_of(member: Member):
    """The member's awards, newest first, with their rules."""
    return ActionAward.objects.filter(member=member).select_related("rule")
