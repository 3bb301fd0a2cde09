"""Every change to member prices, tier discounts, members-only offers and promotion switches.

Gifts live in ``gifts.py`` and prize draws in ``draws.py``. Each function
validates before writing, writes in one transaction and raises an
``OffersError`` (nothing changed) on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from oscar_loyalty import app_settings
from oscar_loyalty.apps.membership.models import Tier
from oscar_loyalty.exceptions import InvalidPercentage, OffersError

from .conditions import MemberOnlyCondition, basket_member, refusal_reason
from .models import HUNDRED, ZERO, MemberOfferRule, MemberPrice, PrizeDraw, TierDiscount
from .pricing import round_price

ConditionalOffer = get_model("offer", "ConditionalOffer")
Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
Voucher = get_model("voucher", "Voucher")

CONDITION_PATH = f"{MemberOnlyCondition.__module__}.{MemberOnlyCondition.__name__}"
# Vouchers created with an offer run as long as the offer; "no end" is ten years.
OPEN_END = timedelta(days=3650)


def validate_percent(value) -> Decimal:
    """``value`` as a Decimal from 0 to 100, or ``InvalidPercentage``."""
    try:
        percent = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidPercentage() from None
    if not percent.is_finite() or not ZERO <= percent <= HUNDRED:
        raise InvalidPercentage(
            _("%(value)s is not a percentage from 0 to 100.") % {"value": value}
        )
    return percent


# Member prices -------------------------------------------------------------


def set_member_price(stockrecord, price, *, segment=None) -> MemberPrice:
    """Create or change the member price of a stock record (rounded half up to the cent).

    With ``segment``, only members of that segment get the price.
    """
    try:
        price = round_price(Decimal(str(price)))
    except (InvalidOperation, ValueError):
        raise OffersError(_("Enter a price, e.g. 9.90.")) from None
    if price < ZERO:
        raise OffersError(_("A member price cannot be negative."))
    with transaction.atomic():
        member_price, _created = MemberPrice.objects.select_for_update().update_or_create(
            stockrecord=stockrecord, defaults={"price": price, "segment": segment}
        )
    return member_price


def set_tier_discount(tier: Tier, percent, *, range=None, category=None) -> TierDiscount:
    """A percentage off for a tier on a range or a category (exactly one of the two)."""
    percent = validate_percent(percent)
    if (range is None) == (category is None):
        raise OffersError(_("Choose either a range or a category for a tier discount."))
    return TierDiscount.objects.create(tier=tier, percent=percent, range=range, category=category)


# Members-only offers -------------------------------------------------------


@dataclass
class MemberOfferSpec:
    """What the dashboard form collects for a members-only offer."""

    name: str
    condition_type: str
    range: object
    condition_value: Decimal
    benefit_type: str
    benefit_value: Decimal
    offer_type: str = "Site"
    description: str = ""
    segment: object = None  # a ``loyalty_segments.Segment`` or None (every member)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    voucher_code: str = ""
    voucher_usage: str = "Once per customer"
    priority: int = 0


def _validate_spec(spec: MemberOfferSpec) -> None:
    if spec.condition_type not in (Condition.COUNT, Condition.VALUE, Condition.COVERAGE):
        raise OffersError(_("Choose a count, value or coverage condition."))
    if spec.offer_type not in (ConditionalOffer.SITE, ConditionalOffer.VOUCHER):
        raise OffersError(_("A members-only offer is a site offer or a voucher offer."))
    if spec.range is None:
        raise OffersError(_("Choose the range of products the offer is about."))
    if spec.condition_value is None or spec.condition_value <= ZERO:
        raise OffersError(_("The condition needs a value above zero."))
    if spec.benefit_value is None or spec.benefit_value <= ZERO:
        raise OffersError(_("The discount needs a value above zero."))
    if spec.benefit_type == Benefit.PERCENTAGE:
        validate_percent(spec.benefit_value)
    if spec.starts_at and spec.ends_at and spec.starts_at > spec.ends_at:
        raise OffersError(_("The end must come after the start."))
    if spec.voucher_code and spec.offer_type != ConditionalOffer.VOUCHER:
        raise OffersError(_("Only a voucher offer has a voucher code."))


def save_member_offer(spec: MemberOfferSpec, *, offer=None):
    """Create (``offer=None``) or change a members-only offer, its rule and its voucher."""
    _validate_spec(spec)
    code = spec.voucher_code.strip().upper()
    with transaction.atomic():
        if offer is None:
            offer = ConditionalOffer(
                condition=Condition.objects.create(proxy_class=CONDITION_PATH),
                benefit=Benefit.objects.create(),
            )
        else:
            offer = ConditionalOffer.objects.select_for_update().get(pk=offer.pk)
            if offer.condition.proxy_class != CONDITION_PATH:
                raise OffersError(_("This offer is not a members-only offer."))
        condition, benefit = offer.condition, offer.benefit
        condition.type, condition.range, condition.value = (
            spec.condition_type,
            spec.range,
            spec.condition_value,
        )
        condition.save()
        benefit.type, benefit.range, benefit.value = (
            spec.benefit_type,
            spec.range,
            spec.benefit_value,
        )
        benefit.save()
        offer.name, offer.description = spec.name, spec.description
        offer.offer_type, offer.priority = spec.offer_type, spec.priority
        offer.start_datetime, offer.end_datetime = spec.starts_at, spec.ends_at
        offer.save()
        rule, _created = MemberOfferRule.objects.get_or_create(condition=condition)
        if rule.segment_id != getattr(spec.segment, "pk", None):
            rule.segment = spec.segment
            rule.save(update_fields=["segment"])
        if code:
            _save_offer_voucher(offer, code, spec)
    return offer


def _save_offer_voucher(offer, code: str, spec: MemberOfferSpec) -> None:
    if Voucher.objects.filter(code=code).exclude(offers=offer).exists():
        raise OffersError(_("The voucher code %(code)s is already in use.") % {"code": code})
    voucher = offer.vouchers.filter(loyalty_gift__isnull=True).order_by("pk").first()
    voucher = voucher or Voucher(name=f"{spec.name} ({code})"[:128])
    voucher.code, voucher.usage = code, spec.voucher_usage
    voucher.start_datetime = spec.starts_at or timezone.now()
    voucher.end_datetime = spec.ends_at or voucher.start_datetime + OPEN_END
    voucher.save()
    voucher.offers.add(offer)


def member_offers():
    """Every offer whose condition is the members-only proxy."""
    return ConditionalOffer.objects.filter(condition__proxy_class=CONDITION_PATH).select_related(
        "condition", "benefit"
    )


def voucher_refusal_reason(voucher, basket) -> str | None:
    """Why this basket's owner may not use a members-only voucher, or ``None``."""
    for offer in voucher.offers.select_related("condition"):
        if offer.condition.proxy_class == CONDITION_PATH:
            reason = refusal_reason(offer.condition, basket_member(basket), voucher)
            if reason:
                return reason
    return None


# Promotions: one list, one on/off switch and schedule ----------------------


@dataclass
class Promotion:
    """One row of the promotions list, whatever model is behind it."""

    kind: str
    pk: int
    name: str
    label: str
    is_on: bool
    starts_at: datetime | None
    ends_at: datetime | None
    slug: str = ""


def _points_promotion_model():
    if not apps.is_installed("oscar_loyalty.apps.points"):
        return None
    try:
        return apps.get_model("loyalty_points", "PointsPromotion")
    except LookupError:
        return None


def list_promotions() -> list[Promotion]:
    """Members-only offers (gift offers labelled), prize draws, and points promotions."""
    # Labels in the staff member's language (this runs per request).
    gift_labels = {
        app_settings.WELCOME_OFFER: _("Welcome gift"),
        app_settings.BIRTHDAY_OFFER: _("Birthday gift"),
    }
    offer_labels = {
        ConditionalOffer.SITE: _("Members-only site offer"),
        ConditionalOffer.VOUCHER: _("Members-only voucher offer"),
    }
    rows = [
        Promotion(
            "offer",
            offer.pk,
            offer.name,
            gift_labels.get(offer.slug)
            or offer_labels.get(offer.offer_type)
            or _("Members-only offer"),
            not offer.is_suspended,
            offer.start_datetime,
            offer.end_datetime,
            offer.slug,
        )
        for offer in member_offers()
    ]
    rows += [
        Promotion("draw", d.pk, d.name, _("Prize draw"), d.is_active, d.starts_at, d.ends_at)
        for d in PrizeDraw.objects.all()
    ]
    PointsPromotion = _points_promotion_model()
    if PointsPromotion is not None:
        rows += [
            Promotion(
                "points",
                p.pk,
                p.name,
                _("Points promotion"),
                p.is_active,
                p.starts_at,
                p.ends_at,
            )
            for p in PointsPromotion.objects.all()
        ]
    return rows


def set_promotion_state(
    kind: str,
    pk: int,
    *,
    is_on: bool,
    starts_at: datetime | None,
    ends_at: datetime | None,
):
    """Switch one promotion on or off and set its schedule."""
    if starts_at and ends_at and starts_at > ends_at:
        raise OffersError(_("The end must come after the start."))
    with transaction.atomic():
        if kind == "offer":
            offer = member_offers().select_for_update().get(pk=pk)
            offer.status = ConditionalOffer.OPEN if is_on else ConditionalOffer.SUSPENDED
            offer.start_datetime, offer.end_datetime = starts_at, ends_at
            offer.save()
            return offer
        if kind == "draw":
            draw = PrizeDraw.objects.select_for_update().get(pk=pk)
            draw.is_active, draw.starts_at, draw.ends_at = is_on, starts_at, ends_at
            draw.save(update_fields=["is_active", "starts_at", "ends_at"])
            return draw
        PointsPromotion = _points_promotion_model()
        if kind == "points" and PointsPromotion is not None:
            if starts_at is None:
                raise OffersError(_("A points promotion needs a start."))
            promotion = PointsPromotion.objects.select_for_update().get(pk=pk)
            promotion.is_active, promotion.starts_at, promotion.ends_at = is_on, starts_at, ends_at
            promotion.save(update_fields=["is_active", "starts_at", "ends_at"])
            return promotion
    raise OffersError(f"Unknown kind of promotion: {kind!r}.")


# Tier perks (``perks``) ----------------------------------------------------


def save_tier_perk_offer(
    *,
    name: str,
    tiers: list[Tier],
    range,
    benefit_type: str,
    benefit_value: Decimal,
    starts_at: datetime | None = None,
    everyone_from: datetime | None = None,
    ends_at: datetime | None = None,
    offer=None,
):
    """Create (``offer=None``) or change a site offer for the tiers' members.

    A shipping benefit type (``perks.SHIPPING_BENEFIT_TYPES``) makes it a
    shipping perk; any other Oscar benefit a sale. ``everyone_from`` opens it
    to every shopper from that time: the tiers get early access from
    ``starts_at``. The condition is "1 item from ``range``".
    """
    from .perks import TIER_CONDITION_PATH, TierPerkRule

    if not tiers:
        raise OffersError(_("Choose the tiers the perk is for."))
    if range is None:
        raise OffersError(_("Choose the range of products the offer is about."))
    if benefit_value is None or Decimal(benefit_value) < ZERO:
        raise OffersError(_("The discount needs a value of zero or more."))
    if benefit_type == Benefit.PERCENTAGE or benefit_type == "Shipping percentage":
        validate_percent(benefit_value)
    if everyone_from and starts_at and everyone_from < starts_at:
        raise OffersError(_("Everyone's start must come after the tiers' start."))
    with transaction.atomic():
        if offer is None:
            offer = ConditionalOffer(
                condition=Condition.objects.create(proxy_class=TIER_CONDITION_PATH),
                benefit=Benefit.objects.create(),
            )
        else:
            offer = ConditionalOffer.objects.select_for_update().get(pk=offer.pk)
            if offer.condition.proxy_class != TIER_CONDITION_PATH:
                raise OffersError(_("This offer is not a tier perk."))
        condition, benefit = offer.condition, offer.benefit
        condition.type, condition.range, condition.value = Condition.COUNT, range, 1
        condition.save()
        benefit.type, benefit.range, benefit.value = benefit_type, range, benefit_value
        benefit.save()
        offer.name, offer.offer_type = name, ConditionalOffer.SITE
        offer.start_datetime, offer.end_datetime = starts_at, ends_at
        offer.save()
        rule, _created = TierPerkRule.objects.get_or_create(condition=condition)
        rule.everyone_from = everyone_from
        rule.save()
        rule.tiers.set(tiers)
    return offer


# Tier-only products (``tier_only``) ------------------------------------------


def save_tier_only_range(*, range, tiers: list[Tier], everyone_from: datetime | None = None):
    """Let only the ``tiers``' members buy ``range``'s products; everyone from ``everyone_from``.

    One rule per range: saving again changes it. Refuses a range of every
    product (that would close the store to everyone else) and a range whose
    products are decided by code (``proxy_class``: its products can change
    without a save, so the kept list could go stale).
    """
    from .tier_only import TierOnlyRange, forget_tier_only_products

    Range = get_model("offer", "Range")
    if range is None or not isinstance(range, Range) or range.pk is None:
        raise OffersError(_("Choose the range of products only the tiers may buy."))
    if range.includes_all_products:
        raise OffersError(_("A range of every product cannot be for some tiers only."))
    if range.proxy_class:
        raise OffersError(_("A range whose products are chosen by code cannot be tier-only."))
    tiers = list(tiers or [])
    if not tiers or not all(isinstance(tier, Tier) and tier.pk for tier in tiers):
        raise OffersError(_("Choose the tiers that may buy these products."))
    if everyone_from is not None and timezone.is_naive(everyone_from):
        raise OffersError(_("Enter a date and time for everyone's start."))
    with transaction.atomic():
        # The range row is the rule's lock: two staff saving at once take turns.
        Range.objects.select_for_update().get(pk=range.pk)
        if Tier.objects.filter(pk__in=[tier.pk for tier in tiers]).count() != len(set(tiers)):
            raise OffersError(_("Choose the tiers that may buy these products."))
        rule, _created = TierOnlyRange.objects.get_or_create(range=range)
        rule.everyone_from = everyone_from
        rule.save()
        rule.tiers.set(tiers)
    forget_tier_only_products()
    return rule


def remove_tier_only_range(*, range) -> bool:
    """Open ``range``'s products to every shopper again. Returns whether a rule was removed."""
    from .tier_only import TierOnlyRange, forget_tier_only_products

    with transaction.atomic():
        deleted, _rows = TierOnlyRange.objects.filter(range_id=range.pk).delete()
    forget_tier_only_products()
    return bool(deleted)
