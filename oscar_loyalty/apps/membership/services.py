"""Every change to membership, tiers and member profiles goes through here.

Each function takes the time as ``now`` (default: the current time) so that
callers and tests control it, and runs its writes in one transaction with
the member row locked; signals and emails wait for the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from oscar_loyalty import app_settings, signals
from oscar_loyalty.apps.consent import services as consent_services
from oscar_loyalty.dates import add_months
from oscar_loyalty.exceptions import (
    AlreadyMember,
    MemberNotFound,
    NotAMember,
    PlanUnavailable,
)
from oscar_loyalty.order_events import counted_orders

from .models import ZERO, Member, MembershipTerm, Plan, TierChange
from .numbers import generate_number, has_foreign_digits, is_valid_number, normalise_number

# Profile functions live in ``profile``; re-exported likewise.
from .profile import (  # noqa: E402, F401
    NUMBER_CHANNELS,
    PROFILE_FIELDS,
    change_phone,
    record_names,
    update_profile,
)

# Tier functions live in ``tiers``; re-exported so callers keep one entry point.
from .tiers import (  # noqa: F401
    _recompute_tier_locked,
    qualifying_spend,
    qualifying_spend_queryset,
    recompute_all_tiers,
    recompute_tier,
    tier_for_spend,
)

logger = logging.getLogger(__name__)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# Lookups -------------------------------------------------------------------


def get_member(user) -> Member | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("plan", "tier").filter(user=user).first()


def find_member_by_number(raw_number: str) -> Member:
    """The member with this card number, or ``MemberNotFound`` with a clear message."""
    if has_foreign_digits(raw_number):
        raise MemberNotFound(_("Type the member number with the digits 0-9."))
    number = normalise_number(raw_number)
    if not is_valid_number(number, length=app_settings.MEMBER_NUMBER_LENGTH):
        raise MemberNotFound(_("This is not a valid member number; check the digits."))
    try:
        return Member.objects.select_related("user", "plan", "tier").get(number=number)
    except Member.DoesNotExist:
        raise MemberNotFound() from None


def get_default_plan() -> Plan:
    plan = Plan.objects.filter(is_active=True, price=ZERO).first()
    if plan is None:
        raise PlanUnavailable(_("The club has no free plan to join right now."))
    return plan


# Joining -------------------------------------------------------------------


def _new_number() -> str:
    length = app_settings.MEMBER_NUMBER_LENGTH
    for _attempt in range(20):
        number = generate_number(length=length)
        if not Member.objects.filter(number=number).exists():
            return number
    # 20 collisions in a row means the number space is nearly full.
    raise RuntimeError(
        "Could not find a free member number; raise OSCAR_LOYALTY_MEMBER_NUMBER_LENGTH."
    )


def join_club(
    user,
    *,
    plan: Plan | None = None,
    consent_channels: Iterable[str] = (),
    source: str = "join",
    request: HttpRequest | None = None,
    language: str = "",
    phone: str = "",
    now: datetime | None = None,
) -> Member:
    """Make ``user`` a member on a free plan and record the consents they ticked.

    ``phone`` (E.164) is stored before the consents are recorded, so SMS and
    WhatsApp consent given here is bound to it.

    Paid plans are joined by buying their product (see ``activate_memberships_for_order``).
    """
    now = _now(now)
    plan = plan or get_default_plan()
    if plan.is_paid or not plan.is_active:
        raise PlanUnavailable(
            _("This plan is sold in the shop: add it to your basket to join.")
            if plan.is_paid
            else None
        )
    if Member.objects.filter(user=user).exists():
        raise AlreadyMember()
    try:
        with transaction.atomic():
            member = Member.objects.create(
                user=user,
                phone=str(phone or ""),
                number=_new_number(),
                plan=plan,
                joined_at=now,
                expires_at=add_months(now, plan.period_months) if plan.period_months else None,
                language=language,
            )
            MembershipTerm.objects.create(
                member=member,
                plan=plan,
                months=plan.period_months,
                starts_at=now,
                ends_at=member.expires_at,
                created_at=now,
            )
            consent_services.grant_consents(
                user, channels=consent_channels, source=source, request=request
            )
            _recompute_tier_locked(member, reason=TierChange.REASON_JOIN, now=now)
            signals.send_on_commit(
                signals.member_joined, sender=Member, member=member, source=source
            )
    except IntegrityError:
        # Two joins raced (two tabs); the unique user column let one through.
        raise AlreadyMember() from None
    return member


# Paid plans bought through the checkout ------------------------------------


def _derive_state(member: Member, *, now: datetime) -> None:
    """Derive the member's plan, expiry and status from its active terms.

    Paid terms follow one another: a renewal bought before expiry starts when
    the previous term ends. After a reversal the remaining terms close up, so
    a refunded year is really taken away rather than leaving a gap. When the
    paid terms have ended, a member who had joined free falls back to the
    free plan; one who never did is expired.
    """
    terms = list(member.terms.filter(status=MembershipTerm.ACTIVE).select_related("plan"))
    paid = [t for t in terms if t.order_id is not None]
    free = [t for t in terms if t.order_id is None]
    cursor: datetime | None = None
    unlimited = False
    for term in paid:
        start = term.created_at if cursor is None or cursor < term.created_at else cursor
        end = add_months(start, term.months) if term.months else None
        if (term.starts_at, term.ends_at) != (start, end):
            term.starts_at, term.ends_at = start, end
            term.save(update_fields=["starts_at", "ends_at"])
        unlimited = unlimited or end is None
        cursor = end if end is not None else cursor
    paid_current = bool(paid) and (unlimited or (cursor is not None and cursor > now))
    free_current = bool(free) and (free[-1].ends_at is None or free[-1].ends_at > now)
    if paid_current:
        member.plan, member.status = paid[-1].plan, Member.ACTIVE
        member.expires_at = None if unlimited else cursor
    elif free_current:
        member.plan, member.status = free[-1].plan, Member.ACTIVE
        member.expires_at = free[-1].ends_at
    elif paid or free:
        last = paid[-1] if paid else free[-1]
        member.plan, member.status = last.plan, Member.EXPIRED
        member.expires_at = cursor if paid else last.ends_at
    else:
        member.status = Member.CANCELLED
    member.save(update_fields=["plan", "expires_at", "status", "updated_at"])


def activate_memberships_for_order(order, *, now: datetime | None = None) -> list[MembershipTerm]:
    """Activate or renew the membership bought by each plan line of ``order``.

    Idempotent: a line that already has its term is skipped, so replaying
    ``order_placed`` or running the daily reconciliation changes nothing.
    """
    now = _now(now)
    # One query for the plans sold by this order, not one per line: this runs
    # on the checkout path for every order.
    all_lines = list(order.lines.all())
    plans = {
        plan.product_id: plan
        for plan in Plan.objects.filter(
            product_id__in=[line.product_id for line in all_lines if line.product_id]
        )
    }
    lines = [line for line in all_lines if line.product_id in plans]
    if not lines or order.user_id is None:
        if lines:
            logger.warning("Order %s bought a membership without an account.", order.number)
        return []
    created: list[MembershipTerm] = []
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(user_id=order.user_id).first()
        for line in lines:
            if MembershipTerm.objects.filter(line=line).exists():
                continue
            plan = plans[line.product_id]
            if member is None:
                member = Member.objects.create(
                    user_id=order.user_id, number=_new_number(), plan=plan, joined_at=now
                )
                signals.send_on_commit(
                    signals.member_joined, sender=Member, member=member, source="purchase"
                )
            months = plan.period_months * line.quantity if plan.period_months else None
            created.append(
                MembershipTerm.objects.create(
                    member=member,
                    plan=plan,
                    order=order,
                    line=line,
                    months=months,
                    starts_at=now,
                    created_at=now,
                )
            )
        if created:
            _derive_state(member, now=now)
        for term in created:
            signals.send_on_commit(
                signals.membership_renewed,
                sender=Member,
                member=term.member,
                term=term,
                order=order,
            )
    return created


def reverse_memberships_for_order(order, *, now: datetime | None = None) -> list[MembershipTerm]:
    """Take back the membership an order bought (it was cancelled or refunded).

    Idempotent: only active terms are reversed, so a second cancel or a
    refund after a cancel changes nothing.
    """
    now = _now(now)
    if order.user_id is None:
        return []
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(user_id=order.user_id).first()
        if member is None:
            return []
        terms = list(member.terms.filter(order=order, status=MembershipTerm.ACTIVE))
        for term in terms:
            term.status = MembershipTerm.REVERSED
            term.reversed_at = now
            term.save(update_fields=["status", "reversed_at"])
        if terms:
            _derive_state(member, now=now)
        for term in terms:
            signals.send_on_commit(
                signals.membership_reversed, sender=Member, member=member, term=term, order=order
            )
    return terms


def reconcile_recent_orders(*, days: int = 7, now: datetime | None = None) -> int:
    """Activate memberships bought in the last ``days`` that have no term yet.

    The ``order_placed`` receiver never raises (the customer has paid), so a
    failure there is only logged; this safety net, run daily, catches it.
    Returns the number of terms created.
    """
    now = _now(now)
    missing = (
        counted_orders()
        .filter(
            date_placed__gte=now - timedelta(days=days),
            user__isnull=False,
            lines__product__loyalty_plan__isnull=False,
        )
        .exclude(lines__in=MembershipTerm.objects.filter(line__isnull=False).values("line"))
        .distinct()
    )
    return sum(len(activate_memberships_for_order(order, now=now)) for order in missing)


# Expiry and renewal reminders ----------------------------------------------


def expire_memberships(*, now: datetime | None = None) -> int:
    """Expire every active membership whose end has passed.

    A member whose paid period ended but who had joined the free plan goes
    back to the free plan instead. Returns the number of members expired.
    """
    now = _now(now)
    expired_ids = list(
        Member.objects.filter(status=Member.ACTIVE, expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    expired = 0
    for member_id in expired_ids:
        with transaction.atomic():
            member = Member.objects.select_for_update().get(pk=member_id)
            # Re-check inside the lock: a renewal may have landed since the scan.
            if member.status != Member.ACTIVE or member.has_benefits(now):
                continue
            _derive_state(member, now=now)
            if member.status == Member.EXPIRED:
                expired += 1
                signals.send_on_commit(signals.membership_expired, sender=Member, member=member)
    return expired


def send_renewal_reminders(*, now: datetime | None = None) -> int:
    """Email each paid member whose membership ends within the reminder window, once per expiry."""
    from oscar_loyalty.mail import send_member_email

    now = _now(now)
    horizon = now + timedelta(days=app_settings.RENEWAL_REMINDER_DAYS)
    due = Member.objects.filter(
        status=Member.ACTIVE,
        plan__price__gt=ZERO,
        expires_at__gt=now,
        expires_at__lte=horizon,
        user__isnull=False,
    ).exclude(renewal_reminder_sent_for=F("expires_at"))
    sent = 0
    for member_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            member = (
                Member.objects.select_for_update(of=("self",))
                .select_related("plan", "user")
                .get(pk=member_id)
            )
            if member.renewal_reminder_sent_for == member.expires_at:
                continue
            # Marked before sending: a crash after this commit loses one reminder
            # rather than sending it twice.
            member.renewal_reminder_sent_for = member.expires_at
            member.save(update_fields=["renewal_reminder_sent_for", "updated_at"])
            transaction.on_commit(
                lambda m=member: send_member_email(
                    m,
                    email_type="renewal_reminder",
                    context={"plan": m.plan, "expires_at": m.expires_at},
                )
            )
            sent += 1
    return sent


def welcome_text(member: Member, consent_channels: Iterable[str] = ()) -> str:
    """The message a new member reads: their number, and the email to confirm if one was sent."""
    text = _("Welcome to the club! Your member number is %(number)s.") % {"number": member.number}
    if "email" in consent_channels and app_settings.DOUBLE_OPT_IN:
        text += " " + _(
            "We have emailed you a link: confirm your address to receive the club's news."
        )
    return text


def require_member(user) -> Member:
    member = get_member(user)
    if member is None:
        raise NotAMember()
    return member


#: Channels whose consent names the member's mobile number.
