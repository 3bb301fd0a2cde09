"""Every state change of the partners app: credentials, earn, burn and reversal.

Each change runs in ``transaction.atomic()`` and takes the locks in one
order: the member's points account first (``points.services.lock_account``,
as everywhere in points), then the partner row. The partner row lock makes
the partner's daily caps exact under concurrency; the account lock makes
the balance checks exact. Everything is validated inside the locks, and
every change has the partner's idempotency key: a retry returns the first
result and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points import services as points
from oscar_loyalty.apps.points.models import PointsEntry, PointsRedemption
from oscar_loyalty.exceptions import (
    AlreadyReversed,
    IdempotencyKeyReused,
    InsufficientPoints,
    NotAMember,
    NothingToEarn,
    PartnerDailyCapReached,
    PartnerInactive,
    PartnerTransactionNotFound,
)
from oscar_loyalty.money import CENT

from .models import Partner, PartnerTransaction, new_salt
from .validation import amount_from, find_member, key_from, points_from, reference_from


@dataclass(frozen=True)
class Result:
    """A transaction and whether this request wrote it (``False``: an idempotent retry)."""

    transaction: PartnerTransaction
    created: bool


# Credentials ----------------------------------------------------------------


def rotate_credentials(partner: Partner, *, now: datetime | None = None) -> str:
    """Issue a new secret (the old one stops working at once); returns it to show once."""
    from .signing import partner_secret

    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        partner.secret_salt = new_salt()
        partner.secret_rotated_at = now or timezone.now()
        partner.save(update_fields=["secret_salt", "secret_rotated_at"])
    return partner_secret(partner)


def _hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _existing(partner: Partner, key: str, request_hash: str) -> Result | None:
    found = (
        PartnerTransaction.objects.select_related("member", "reverses")
        .filter(partner=partner, idempotency_key=key)
        .first()
    )
    if found is None:
        return None
    if found.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return Result(found, False)


def _lock_partner(partner: Partner) -> Partner:
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if not partner.is_active:
        raise PartnerInactive()
    return partner


def _day_start(now: datetime) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))


def _used_today(partner: Partner, kind: str, now: datetime, member: Member | None = None) -> int:
    rows = PartnerTransaction.objects.filter(
        partner=partner, kind=kind, created_at__gte=_day_start(now)
    )
    if member is not None:
        rows = rows.filter(member=member)
    return rows.aggregate(total=Sum("points"))["total"] or 0


def _check_caps(partner: Partner, member: Member, kind: str, wanted: int, now: datetime) -> None:
    """Caps count every earn (or burn) of the day; reversals give nothing back."""
    if kind == PartnerTransaction.EARN:
        caps = (partner.daily_earn_cap, partner.member_daily_earn_cap)
    else:
        caps = (partner.daily_burn_cap, partner.member_daily_burn_cap)
    partner_cap, member_cap = caps
    if partner_cap is not None and _used_today(partner, kind, now) + wanted > partner_cap:
        raise PartnerDailyCapReached(
            _("This would go over the partner's daily limit of %(cap)d points.")
            % {"cap": partner_cap}
        )
    if member_cap is not None and _used_today(partner, kind, now, member) + wanted > member_cap:
        raise PartnerDailyCapReached(
            _("This would go over the daily limit of %(cap)d points for this member.")
            % {"cap": member_cap}
        )


def _require_benefits(member: Member, now: datetime) -> None:
    if not member.has_benefits(now):
        raise NotAMember(_("This membership is not active."))


def reserved_points(account, now: datetime) -> int:
    """Points held by the web shop (live basket reservations, orders not yet in the ledger)."""
    return (
        PointsRedemption.objects.filter(PointsRedemption.held_q(now), account=account).aggregate(
            total=Sum(PointsRedemption.held_points())
        )["total"]
        or 0
    )


def _ledger_key(partner: Partner, key: str) -> str:
    return f"partner:{partner.pk}:{key}"


# Earn and burn ----------------------------------------------------------------


def earn_points(partner: Partner, data: dict, *, now: datetime | None = None) -> Result:
    """A purchase at the partner earns ``amount x earn_rate`` points (rounded down), at once.

    ``data``: ``card``/``qr``, ``amount``, ``reference``, ``idempotency_key``.
    """
    now = now or timezone.now()
    key = key_from(data.get("idempotency_key"))
    amount = amount_from(data.get("amount"))
    reference = reference_from(data.get("reference"))
    member = find_member(data)
    request_hash = _hash({"op": "earn", "member": member.pk, "amount": amount, "ref": reference})
    if found := _existing(partner, key, request_hash):
        return found
    with transaction.atomic():
        account = points.lock_account(member)
        partner = _lock_partner(partner)
        if found := _existing(partner, key, request_hash):
            return found
        _require_benefits(member, now)
        earned = int((amount * partner.earn_rate).quantize(Decimal(1), rounding=ROUND_DOWN))
        if earned <= 0:
            raise NothingToEarn()
        _check_caps(partner, member, PartnerTransaction.EARN, earned, now)
        entry = points.credit_locked(
            account,
            earned,
            kind=PointsEntry.EARN,
            reason=f"{partner.name}: {reference or key}",
            key=_ledger_key(partner, key),
            now=now,
            rate=partner.earn_rate,
        )
        return Result(
            _record(
                partner,
                member,
                PartnerTransaction.EARN,
                earned,
                amount=amount,
                value=(earned * partner.issue_price).quantize(CENT, rounding=ROUND_HALF_UP),
                reference=reference,
                key=key,
                request_hash=request_hash,
                entry=entry,
                balance_after=account.balance,
                now=now,
            ),
            True,
        )


def burn_points(partner: Partner, data: dict, *, now: datetime | None = None) -> Result:
    """``points`` come off the member's balance as ``points x burn_rate`` money off
    (rounded down to the cent). More than the member can spend is refused.

    ``data``: ``card``/``qr``, ``points``, ``reference``, ``idempotency_key``.
    """
    now = now or timezone.now()
    key = key_from(data.get("idempotency_key"))
    wanted = points_from(data.get("points"))
    reference = reference_from(data.get("reference"))
    member = find_member(data)
    request_hash = _hash({"op": "burn", "member": member.pk, "points": wanted, "ref": reference})
    if found := _existing(partner, key, request_hash):
        return found
    with transaction.atomic():
        account = points.lock_account(member)
        partner = _lock_partner(partner)
        if found := _existing(partner, key, request_hash):
            return found
        _require_benefits(member, now)
        available = account.balance - reserved_points(account, now)
        if wanted > available:
            raise InsufficientPoints(
                _("Only %(points)d points are available.") % {"points": max(available, 0)},
                requested=wanted,
            )
        _check_caps(partner, member, PartnerTransaction.BURN, wanted, now)
        money_off = (wanted * partner.burn_rate).quantize(CENT, rounding=ROUND_DOWN)
        entry = points.debit_locked(
            account,
            wanted,
            kind=PointsEntry.REDEEM,
            reason=f"{partner.name}: {reference or key}",
            key=_ledger_key(partner, key),
            now=now,
        )
        return Result(
            _record(
                partner,
                member,
                PartnerTransaction.BURN,
                wanted,
                amount=money_off,
                value=money_off,
                reference=reference,
                key=key,
                request_hash=request_hash,
                entry=entry,
                balance_after=account.balance,
                now=now,
            ),
            True,
        )


def reverse_transaction(
    partner: Partner, public_id, data: dict, *, now: datetime | None = None
) -> Result:
    """Undo one of the partner's own earns or burns (a return at the till).

    Another partner's transaction is "not found", exactly like an unknown id.
    Reversing an earn whose points were already spent leaves a debt (as any
    points reversal); reversing a burn gives the points back to their lots.
    """
    now = now or timezone.now()
    key = key_from(data.get("idempotency_key"))
    reference = reference_from(data.get("reference"))
    source = (
        PartnerTransaction.objects.select_related("member", "entry")
        .filter(partner=partner, public_id=public_id)
        .exclude(kind=PartnerTransaction.REVERSAL)
        .first()
    )
    if source is None:
        raise PartnerTransactionNotFound()
    request_hash = _hash({"op": "reverse", "source": str(source.public_id), "ref": reference})
    if found := _existing(partner, key, request_hash):
        return found
    with transaction.atomic():
        account = points.lock_account(source.member)
        partner = _lock_partner(partner)
        if found := _existing(partner, key, request_hash):
            return found
        if PartnerTransaction.objects.filter(reverses=source).exists():
            raise AlreadyReversed(_("This transaction has already been reversed."))
        reason = _("%(partner)s: reversal of %(ref)s") % {
            "partner": partner.name,
            "ref": source.reference or source.idempotency_key,
        }
        if source.kind == PartnerTransaction.EARN:
            entry = points.debit_locked(
                account,
                source.points,
                kind=PointsEntry.REVERSE,
                reason=reason,
                key=_ledger_key(partner, key),
                now=now,
                allow_debt=True,
            )
        else:
            entry = points.return_to_lots_locked(
                account,
                source.entry,
                source.points,
                reason=reason,
                key=_ledger_key(partner, key),
                now=now,
            )
        return Result(
            _record(
                partner,
                source.member,
                PartnerTransaction.REVERSAL,
                source.points,
                amount=source.amount,
                value=-source.value,
                reference=reference,
                key=key,
                request_hash=request_hash,
                entry=entry,
                balance_after=account.balance,
                now=now,
                reverses=source,
            ),
            True,
        )


def _record(
    partner,
    member,
    kind,
    points_,
    *,
    amount,
    value,
    reference,
    key,
    request_hash,
    entry,
    balance_after,
    now,
    reverses=None,
) -> PartnerTransaction:
    return PartnerTransaction.objects.create(
        partner=partner,
        member=member,
        kind=kind,
        points=points_,
        amount=amount,
        value=value,
        reference=reference,
        idempotency_key=key,
        request_hash=request_hash,
        reverses=reverses,
        entry=entry,
        balance_after=balance_after,
        created_at=now,
    )


def transaction_by_key(partner: Partner, key: str) -> PartnerTransaction:
    """The partner's own transaction with this idempotency key, or "not found"."""
    found = (
        PartnerTransaction.objects.select_related("member", "reverses")
        .filter(partner=partner, idempotency_key=key)
        .first()
    )
    if found is None:
        raise PartnerTransactionNotFound()
    return found


def member_summary(partner: Partner, member: Member, *, now: datetime | None = None) -> dict:
    """What a cashier needs and nothing more: no email, phone or address."""
    now = now or timezone.now()
    account = points.get_account(member)
    balance = max(account.balance - reserved_points(account, now), 0)
    return {
        "number": member.number,
        "first_name": member.user.first_name if member.user_id else "",
        "tier": member.tier.name if member.tier_id else None,
        "active": member.has_benefits(now),
        "balance": balance,
        "balance_value": str((balance * partner.burn_rate).quantize(CENT, rounding=ROUND_DOWN)),
    }
