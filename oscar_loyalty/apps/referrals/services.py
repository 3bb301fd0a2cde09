"""Referral codes, attribution and linking a referee to a referrer.

Rewards (first order, maturity, reversal, review) live in ``rewards.py``.
Every refusal is a ``ReferralError`` with a message for the shopper, raised
before anything is written.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty import app_settings, ratelimit
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.exceptions import (
    AlreadyReferred,
    ExpiredReferralCode,
    NotFirstOrder,
    SelfReferral,
    TooManyAttempts,
    UnknownReferralCode,
)
from oscar_loyalty.order_events import counted_orders

from . import fingerprints
from .models import Referral, ReferralCode, ReferralVisit

Order = get_model("order", "Order")

# No 0/O, 1/I/L: a code read aloud or copied from a screenshot stays right.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SESSION_KEY = "loyalty_referral"
COOKIE_NAME = "loyalty_ref"
COOKIE_SALT = "oscar_loyalty.referrals"


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# Codes ---------------------------------------------------------------------


def generate_code(length: int | None = None) -> str:
    """A random code from ``ALPHABET`` (``secrets``: not guessable from other codes)."""
    length = length or app_settings.REFERRALS_CODE_LENGTH
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def get_code(member: Member) -> ReferralCode:
    """The member's referral code, created on first use."""
    existing = ReferralCode.objects.filter(member=member).first()
    if existing is not None:
        return existing
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(member=member, code=generate_code())
        except IntegrityError:
            # Either this member got a code in a concurrent request, or the
            # random code collided: return the first, retry the second.
            existing = ReferralCode.objects.filter(member=member).first()
            if existing is not None:
                return existing
    raise RuntimeError("Could not generate a unique referral code.")


def clean_code(raw: str) -> str:
    return "".join((raw or "").split()).upper()


def find_code(raw: str, *, now: datetime | None = None) -> ReferralCode:
    """The code typed or followed, or ``UnknownReferralCode``/``ExpiredReferralCode``.

    A code whose member no longer has benefits (expired or cancelled) has expired.
    """
    code = clean_code(raw)
    found = (
        ReferralCode.objects.select_related("member__user").filter(code=code).first()
        if code
        else None
    )
    if found is None:
        raise UnknownReferralCode()
    if not found.member.has_benefits(_now(now)):
        raise ExpiredReferralCode()
    return found


# Attribution ---------------------------------------------------------------


RATE_LIMIT_SCOPE = "referral_code"


def _limit_keys(request) -> list[str]:
    keys = [f"ip:{ratelimit.client_key(request)}"]
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        keys.append(f"session:{session_key}")
    return keys


def check_rate_limit(request) -> None:
    """``TooManyAttempts`` once this IP address or session has tried too many bad codes.

    ``OSCAR_LOYALTY_REFERRALS_RATE_LIMIT = (attempts, seconds)``. Only failed
    codes count (``count_failed_attempt``), so many shoppers behind one
    carrier's IP address can still follow good links. Kept in the cache by
    the shared helper (``oscar_loyalty.ratelimit``): with several servers the
    store needs a shared cache.
    """
    limit = app_settings.REFERRALS_RATE_LIMIT
    if ratelimit.any_limited(RATE_LIMIT_SCOPE, _limit_keys(request), limit=limit):
        raise TooManyAttempts()


def count_failed_attempt(request) -> None:
    """One more unknown or refused code for this IP address and session."""
    limit = app_settings.REFERRALS_RATE_LIMIT
    ratelimit.count_each(RATE_LIMIT_SCOPE, _limit_keys(request), limit=limit)


def record_visit(
    code: ReferralCode, *, request=None, now: datetime | None = None
) -> ReferralVisit:
    """A visit through a share link, for the funnel."""
    return ReferralVisit.objects.create(
        code=code, ip_hash=fingerprints.ip_digest(request), created_at=_now(now)
    )


def remember_code(request, response, code: ReferralCode, *, now: datetime | None = None) -> None:
    """Keep the code for ``REFERRALS_ATTRIBUTION_DAYS`` in the session and a signed cookie."""
    days = app_settings.REFERRALS_ATTRIBUTION_DAYS
    request.session[SESSION_KEY] = {"code": code.code, "at": _now(now).timestamp()}
    response.set_signed_cookie(
        COOKIE_NAME,
        code.code,
        salt=COOKIE_SALT,
        max_age=days * 86400,
        httponly=True,
        samesite="Lax",
    )


def stored_code(request, *, now: datetime | None = None) -> str | None:
    """The code from a share link visited within the attribution window, or ``None``."""
    window = timedelta(days=app_settings.REFERRALS_ATTRIBUTION_DAYS)
    data = getattr(request, "session", {}).get(SESSION_KEY)
    if data and _now(now).timestamp() - data.get("at", 0) <= window.total_seconds():
        return data.get("code")
    return request.get_signed_cookie(
        COOKIE_NAME, default=None, salt=COOKIE_SALT, max_age=window.total_seconds()
    )


def forget_code(request) -> None:
    if hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)


# Linking -------------------------------------------------------------------


def self_referral_reason(code: ReferralCode, user) -> str | None:
    """Why ``user`` may not use ``code`` as their friend's code, or ``None``."""
    referrer_user = code.member.user
    if referrer_user is None:
        return None
    if referrer_user.pk == user.pk:
        return "same user"
    if fingerprints.normalise_email(referrer_user.email) == fingerprints.normalise_email(
        user.email
    ):
        return "same email"
    return None


def has_previous_orders(user, *, exclude_order=None) -> bool:
    """Counted orders by this user or placed as a guest with the same normalised email.

    A cancelled order or one refunded in full was no purchase: its customer is
    still new to the store (``counted_orders``).
    """
    orders = counted_orders().filter(user=user)
    if exclude_order is not None:
        orders = orders.exclude(pk=exclude_order.pk)
    if orders.exists():
        return True
    guest = counted_orders().filter(user__isnull=True, guest_email__iexact=user.email)
    if exclude_order is not None:
        guest = guest.exclude(pk=exclude_order.pk)
    return bool(user.email) and guest.exists()


def link_referee(
    user,
    raw_code: str,
    *,
    source: str,
    first_order=None,
    now: datetime | None = None,
) -> Referral:
    """Link ``user`` to the owner of ``raw_code`` (at registration, code entry or first order).

    Refused (nothing written) for an unknown or expired code, the user's own
    code (same user or same normalised email), a user already referred, and a
    user with earlier orders. ``first_order``: linked while placing it (that
    order is not an "earlier" one). The new customer's voucher, if the store
    gives one, is issued here, unless the first order is already placed.
    """
    from . import rewards

    now = _now(now)
    code = find_code(raw_code, now=now)
    if self_referral_reason(code, user):
        raise SelfReferral()
    if Referral.objects.filter(referee=user).exists():
        raise AlreadyReferred()
    if has_previous_orders(user, exclude_order=first_order):
        raise NotFirstOrder()
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                code=code,
                referrer=code.member,
                referee=user,
                source=source,
                signals={"email": fingerprints.email_digest(user.email)},
                created_at=now,
            )
            if first_order is None:
                rewards.issue_friend_voucher(referral, now=now)
    except IntegrityError:
        # The one-to-one on ``referee``: a concurrent request linked this user first.
        raise AlreadyReferred() from None
    return referral


def put_gift_in_basket(user, voucher, *, basket=None) -> bool:
    """Put the friend's voucher in ``basket`` or, by default, the user's open basket.

    The gift must reach the checkout without the friend copying a code: at
    registration the request's basket is still the guest's, so the voucher
    goes into the user's own open basket (made if needed), into which Oscar's
    basket middleware merges the guest's lines (and vouchers) on the next
    request. ``False`` when the voucher cannot be used (used, expired).
    """
    if voucher is None or not voucher.is_active():
        return False
    if basket is None or basket.owner_id not in (None, user.pk):
        Basket = get_model("basket", "Basket")
        basket, _created = Basket.open.get_or_create(owner=user)
    elif basket.id is None:
        basket.save()
    available, _message = voucher.is_available_to_user(user=user)
    if not available:
        return False
    basket.vouchers.add(voucher)
    return True


def referral_of(user) -> Referral | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Referral.objects.select_related("friend_voucher").filter(referee=user).first()


def waiting_friend_gift(user, *, now: datetime | None = None):
    """The voucher a friend's code gave ``user``, while it is still to use; else ``None``.

    What the member's home lists under "Waiting for you" (and the member API's ``me/gifts/``).
    """
    referral = referral_of(user)
    voucher = referral.friend_voucher if referral is not None else None
    if voucher is None or voucher.num_orders or voucher.end_datetime <= _now(now):
        return None
    return voucher


def referrals_made(member: Member):
    """A member's referrals, newest first."""
    return Referral.objects.filter(referrer=member).select_related("referee")
