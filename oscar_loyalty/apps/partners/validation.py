"""Checks of what a partner sends: keys, references, amounts, points, the member's card.

Each raises ``InvalidPartnerRequest`` (or ``MemberNotFound``) with a message
for the partner's developer; nothing has been changed when they do.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.apps.membership.numbers import has_foreign_digits
from oscar_loyalty.apps.membership.services import find_member_by_number
from oscar_loyalty.apps.points import services as points
from oscar_loyalty.exceptions import InvalidPartnerRequest
from oscar_loyalty.money import CENT

KEY_RE = re.compile(r"[A-Za-z0-9_.:-]{8,100}")
MAX_AMOUNT = Decimal("1000000")


def key_from(value) -> str:
    # fullmatch: ``$`` would let a trailing newline through.
    if not isinstance(value, str) or not KEY_RE.fullmatch(value):
        raise InvalidPartnerRequest(
            _("Send an idempotency_key of 8-100 letters, digits or _ . : -.")
        )
    return value


def reference_from(value) -> str:
    value = "" if value is None else value
    if not isinstance(value, str) or len(value) > 64:
        raise InvalidPartnerRequest(_("The reference must be text of at most 64 characters."))
    # Control characters (NUL: PostgreSQL refuses it) and lone surrogates (no
    # UTF-8 for them, so neither database stores them) are not a receipt's text.
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise InvalidPartnerRequest(
            _("The reference may not contain control characters or invalid Unicode.")
        )
    return value.strip()


def amount_from(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidPartnerRequest(_('Send the amount as a decimal string, e.g. "12.50".'))
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidPartnerRequest(
            _('Send the amount as a decimal string, e.g. "12.50".')
        ) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise InvalidPartnerRequest(_("The amount must be above zero and at most 1000000."))
    if amount != amount.quantize(CENT):
        raise InvalidPartnerRequest(_("The amount has at most two decimal places."))
    return amount


def points_from(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidPartnerRequest(_("Send points as a positive whole number."))
    return points.validate_points(value)


def find_member(data: dict) -> Member:
    """The member named by ``card`` (typed number) or ``qr`` (the card's QR payload)."""
    raw = data.get("card") or data.get("qr")
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidPartnerRequest(_("Send the member's card number as card or qr."))
    if has_foreign_digits(raw):
        # A malformed request rather than an unknown card: 400, not 404.
        raise InvalidPartnerRequest(_("Send the card number with the digits 0-9 only."))
    return find_member_by_number(raw)
