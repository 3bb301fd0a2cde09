"""Thin adapters from Oscar's signals to referral services.

They run after a customer registered or paid, so they never raise: they log
(a registration only gets a message). Every service they call is idempotent,
so a replayed signal changes nothing. The order's events (placed, cancelled,
refunded, matured) reach the app through ``order_steps``.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.utils.translation import gettext as _
from oscar.apps.checkout.signals import post_checkout
from oscar.apps.customer.signals import user_registered

from oscar_loyalty.club import context_for_request
from oscar_loyalty.exceptions import ReferralError
from oscar_loyalty.receiving import never_raises

from . import rewards, services

logger = logging.getLogger(__name__)

#: Name of an optional field a store may add to its registration form.
CODE_FIELD = "referral_code"


def _message(request, level, text) -> None:
    if request is not None and hasattr(request, "_messages"):
        messages.add_message(request, level, text)


@never_raises
def on_user_registered(sender, request, user, **kwargs) -> None:
    """Link a new customer to the code typed at registration or kept from a share link."""
    typed = (request.POST.get(CODE_FIELD) or "").strip() if request is not None else ""
    code = typed or (services.stored_code(request) if request is not None else None)
    if not code:
        return
    try:
        if typed:
            services.check_rate_limit(request)
        referral = services.link_referee(user, code, source="registration" if typed else "link")
    except ReferralError as error:
        if typed:
            services.count_failed_attempt(request)
        _message(request, messages.WARNING, error.message)
        return
    except Exception:  # noqa: BLE001 - registration must not fail over a referral.
        logger.exception("Linking referral for user %s failed", user.pk)
        return
    services.forget_code(request)
    voucher = referral.friend_voucher if referral.friend_voucher_id else None
    if voucher is None:
        return
    # Into the new user's own basket: the guest's lines join it at the next request.
    if services.put_gift_in_basket(user, voucher):
        text = _("Welcome! Your friend's gift (voucher %(code)s) is in your basket.")
    else:
        text = _("Welcome! Your friend's gift for your first order: voucher %(code)s.")
    _message(request, messages.SUCCESS, text % {"code": voucher.code})


@never_raises
def on_post_checkout(sender, order, user, request, response, **kwargs) -> None:
    """A signed-in customer who followed a share link is linked with their first order."""
    if user is None or not user.is_authenticated:
        return
    code = services.stored_code(request)
    if not code:
        return
    # The request's club context knows already whether the user was referred.
    club = context_for_request(request)
    if club.referred if club is not None else services.referral_of(user) is not None:
        return
    try:
        services.link_referee(user, code, source="link", first_order=order)
        rewards.qualify_first_order(order)
    except ReferralError as error:
        logger.info("Referral code not linked at checkout for %s: %s", user.pk, error)
    except Exception:  # noqa: BLE001
        logger.exception("Referral linking failed for order %s", order.number)
    services.forget_code(request)


def connect() -> None:
    # The order's own events reach the app through ``order_steps``; these two
    # need the request (the code kept from a share link).
    user_registered.connect(on_user_registered, dispatch_uid="loyalty_referrals.registered")
    post_checkout.connect(on_post_checkout, dispatch_uid="loyalty_referrals.post_checkout")
