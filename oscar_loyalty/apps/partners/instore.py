"""The store's own till: look up a member card, spend points, record an in-store purchase.

An in-store purchase becomes a real Oscar order for the member's user (one
line without a product, totals = the receipt amount), with the channel
"in_store", and earns points exactly as a web order does: the club event
``InStorePurchase`` is dispatched (``oscar_loyalty.order_events``), whose
steps recompute the member's tier and record the points engine's order
earning (pending, maturing like any order). Oscar's ``order_placed`` is not
sent (its analytics receiver needs a product on every line); the club's
``instore_purchase_recorded`` signal is, for stores that want to react.

Spending points at the till (``spend_points``) is a ledger debit, as the
partner API's burn: there is no basket to reserve points on, so the points
come off the balance at once, with the account locked, and the receipt
reference is the idempotency key (a retried submit spends nothing twice).

Partner API purchases are not Oscar orders: they are the partner's sales.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_model

from oscar_loyalty import app_settings, signals
from oscar_loyalty.apps.journey.models import OrderChannel
from oscar_loyalty.apps.journey.services import record_order_channel
from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.points import services as points
from oscar_loyalty.apps.points.models import PointsEntry
from oscar_loyalty.exceptions import InStorePurchaseError, InsufficientPoints, NotAMember
from oscar_loyalty.money import CENT
from oscar_loyalty.order_events import INSTORE_SHIPPING_CODE, InStorePurchase, dispatch

from .services import reserved_points

Order = get_model("order", "Order")
Line = get_model("order", "Line")
OrderNote = get_model("order", "OrderNote")

RECEIPT_RE = re.compile(r"^[A-Za-z0-9._/-]{1,64}$")
MAX_AMOUNT = Decimal("1000000")


def order_number(receipt: str) -> str:
    return f"{app_settings.INSTORE_ORDER_NUMBER_PREFIX}{receipt}"


def _status() -> str:
    return app_settings.INSTORE_ORDER_STATUS or getattr(
        settings, "OSCAR_INITIAL_ORDER_STATUS", "Pending"
    )


def record_purchase(
    member: Member,
    *,
    amount: Decimal,
    receipt: str,
    staff_user=None,
    request=None,
    now: datetime | None = None,
) -> tuple[object, bool]:
    """Record a purchase at the till; returns ``(order, created)``.

    Idempotent on the receipt reference: a double click or a resubmitted
    form finds the first order. The same receipt for another member is
    refused. The member's points account is locked while checking and
    creating, so two simultaneous submits make one order.
    """
    now = now or timezone.now()
    receipt = (receipt or "").strip()
    if not RECEIPT_RE.match(receipt):
        raise InStorePurchaseError(
            _("Enter the receipt reference: letters, digits and . _ / - only.")
        )
    if amount is None or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(CENT):
        raise InStorePurchaseError(_("Enter an amount above zero with at most two decimals."))
    if member.user_id is None:
        raise InStorePurchaseError(_("This member has no customer account to record orders for."))
    number = order_number(receipt)
    if found := _existing(number, member):
        return found, False
    try:
        with transaction.atomic():
            points.lock_account(member)
            if found := _existing(number, member):
                return found, False
            order = _create_order(member, number, amount, receipt, staff_user, request, now)
    except IntegrityError:
        # The unique order number let one of two racing submits through.
        if found := _existing(number, member):
            return found, False
        raise
    # After the order's transaction, as Oscar's OrderCreator sends order_placed.
    # That signal is not sent: Oscar's own receivers (analytics) expect every
    # line to have a product. The club's own event is: the apps' steps run for
    # it (the tier, then the points engine's normal order earning).
    dispatch(InStorePurchase(order=order, staff_user=staff_user))
    signals.instore_purchase_recorded.send(
        sender=Order, order=order, member=member, staff_user=staff_user
    )
    return order, True


def spend_key(receipt: str) -> str:
    """The ledger idempotency key of the points spent on one till receipt."""
    return f"instore:spend:{receipt}"


def spend_points(
    member: Member,
    *,
    points_to_spend: int,
    receipt: str,
    staff_user=None,
    now: datetime | None = None,
) -> tuple[PointsEntry, bool]:
    """Take ``points_to_spend`` off the member's balance for till receipt ``receipt``.

    Returns ``(entry, created)``. The same rules as spending on the web: an
    active membership, at least ``OSCAR_LOYALTY_POINTS_REDEEM_MIN_POINTS``,
    a balance of ``..._REDEEM_MIN_BALANCE``, and never the points a web basket
    holds. Everything is checked with the account locked, so two tills (or a
    till and the web shop) cannot spend the same points. The receipt is the
    idempotency key: a retry with the same member and points returns the first
    entry (``created`` False) and changes nothing; another member or another
    number of points on that receipt is refused.
    """
    now = now or timezone.now()
    receipt = (receipt or "").strip()
    if not RECEIPT_RE.match(receipt):
        raise InStorePurchaseError(
            _("Enter the receipt reference: letters, digits and . _ / - only.")
        )
    points.validate_points(points_to_spend)
    minimum = app_settings.POINTS_REDEEM_MIN_POINTS
    if points_to_spend < minimum:
        raise InStorePurchaseError(
            ngettext(
                "Spend at least %(points)s point.", "Spend at least %(points)s points.", minimum
            )
            % {"points": minimum}
        )
    key = spend_key(receipt)
    if found := _existing_spend(key, member, points_to_spend):
        return found, False
    with transaction.atomic():
        account = points.lock_account(member)
        if found := _existing_spend(key, member, points_to_spend):
            return found, False
        if not member.has_benefits(now):
            raise NotAMember(_("This membership is not active: its points cannot be spent."))
        needed = max(app_settings.POINTS_REDEEM_MIN_BALANCE, 1)
        if account.balance < needed:
            raise InsufficientPoints(
                ngettext(
                    "The member needs at least %(points)s point to spend points.",
                    "The member needs at least %(points)s points to spend them.",
                    needed,
                )
                % {"points": needed}
            )
        available = account.balance - reserved_points(account, now)
        if points_to_spend > available:
            free = max(available, 0)
            raise InsufficientPoints(
                ngettext(
                    "Only %(points)s point is available.",
                    "Only %(points)s points are available.",
                    free,
                )
                % {"points": free},
                requested=points_to_spend,
            )
        entry = points.debit_locked(
            account,
            points_to_spend,
            kind=PointsEntry.REDEEM,
            reason=_("Spent at the till, receipt %(receipt)s") % {"receipt": receipt},
            key=key,
            now=now,
            staff_user=staff_user,
        )
    return entry, True


def _existing_spend(key: str, member: Member, wanted: int) -> PointsEntry | None:
    entry = PointsEntry.objects.select_related("account").filter(idempotency_key=key).first()
    if entry is None:
        return None
    if entry.account.member_id != member.pk:
        raise InStorePurchaseError(
            _("Points were already spent on this receipt by another member.")
        )
    if -entry.points != wanted:
        raise InStorePurchaseError(
            _("%(points)s points were already spent on this receipt; nothing was changed.")
            % {"points": -entry.points}
        )
    return entry


def _existing(number: str, member: Member):
    order = Order.objects.filter(number=number).first()
    if order is not None and order.user_id != member.user_id:
        raise InStorePurchaseError(_("This receipt was already recorded for another member."))
    return order


def _create_order(member, number, amount, receipt, staff_user, request, now):
    status = _status()
    order = Order.objects.create(
        number=number,
        site=Site.objects.get_current(request),
        user=member.user,
        currency=settings.OSCAR_DEFAULT_CURRENCY,
        # The till total; tax is not known here, so both sides are the amount.
        total_incl_tax=amount,
        total_excl_tax=amount,
        shipping_incl_tax=Decimal("0.00"),
        shipping_excl_tax=Decimal("0.00"),
        shipping_method=_("In store"),
        shipping_code=INSTORE_SHIPPING_CODE,
        status=status,
        date_placed=now,
    )
    Line.objects.create(
        order=order,
        partner_name="",
        partner_sku=receipt,
        product=None,
        title=_("In-store purchase"),
        quantity=1,
        line_price_incl_tax=amount,
        line_price_excl_tax=amount,
        line_price_before_discounts_incl_tax=amount,
        line_price_before_discounts_excl_tax=amount,
        unit_price_incl_tax=amount,
        unit_price_excl_tax=amount,
        num_allocated=0,
        status=getattr(settings, "OSCAR_INITIAL_LINE_STATUS", ""),
    )
    OrderNote.objects.create(
        order=order,
        user=staff_user,
        note_type=OrderNote.SYSTEM,
        message=_("Recorded at the till, receipt %(receipt)s.") % {"receipt": receipt},
    )
    record_order_channel(order, channel=OrderChannel.IN_STORE)
    return order
