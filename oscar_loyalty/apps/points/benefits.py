"""Oscar offer classes that put points into the checkout without forking it.

The site offer "Club points" (``ensure_points_offer`` creates it the first
time a member applies points, never a migration: a row made at ``migrate``
would take a primary key and a place in the lists of a store, or of Oscar's
own tests, that expect only their own rows): ``PointsRedemptionCondition`` +
``PointsDiscountBenefit`` takes the points the shopper applied off the basket
as an ordinary Oscar discount (recorded as an ``OrderDiscount``), and captures
them in ``apply_deferred``, inside Oscar's order transaction.

It is low priority so it sees the totals after the store's own offers, and
it consumes no items, so it never blocks other offers. "You will earn N
points" is not an offer (an offer costs three writes per order in Oscar's
bookkeeping); the points template tags show it from the same policy.
``ClubMemberCondition`` stays available for the store's own member-only offers.
"""

from __future__ import annotations

import logging
import operator

from django.utils.translation import gettext_lazy as _
from oscar.apps.offer.results import ZERO_DISCOUNT, BasketDiscount
from oscar.core.loading import get_classes, get_model

from oscar_loyalty import orders
from oscar_loyalty.apps.membership.baskets import basket_member
from oscar_loyalty.lines import priced_lines
from oscar_loyalty.money import ZERO, points_to_money
from oscar_loyalty.reasons import offer_name
from oscar_loyalty.site_offers import (
    LabelledBenefitMixin,
    LabelledConditionMixin,
    ensure_site_offer,
    keep_no_usage_counters,
    name_its_order_discount,
    offers_with_benefit,
)

from . import receipt
from . import redemption as redemption_services

logger = logging.getLogger(__name__)

# get_model first: it finishes loading Oscar's offer models, which import
# Oscar's benefits module; importing that module directly here would be circular.
Condition = get_model("offer", "Condition")
AbsoluteDiscountBenefit, apply_discount = get_classes(
    "offer.benefits", ["AbsoluteDiscountBenefit", "apply_discount"]
)


class ClubMemberCondition(LabelledConditionMixin, Condition):
    """Satisfied when the basket belongs to a member with benefits."""

    label = _("Basket of a club member")

    class Meta:
        proxy = True
        app_label = "loyalty_points"

    def is_satisfied(self, offer, basket):
        member = basket_member(basket)
        return member is not None and member.has_benefits()


class PointsRedemptionCondition(ClubMemberCondition):
    """Satisfied when the member has a live points reservation on this basket."""

    label = _("Club points applied to the basket")

    class Meta:
        proxy = True
        app_label = "loyalty_points"

    def is_satisfied(self, offer, basket):
        # Membership first: it is cached on the basket, and a non-member's
        # basket then costs no redemption query.
        if not super().is_satisfied(offer, basket):
            return False
        redemption = redemption_services.redemption_for(basket)
        return redemption is not None and redemption.is_live()


class PointsDiscountBenefit(LabelledBenefitMixin, AbsoluteDiscountBenefit):
    """Money off worth the reserved points, spread over the lines; debited at placement."""

    title = _("Club points")
    summary = _("Club points spent as money")

    class Meta:
        proxy = True
        app_label = "loyalty_points"

    def get_applicable_lines(self, offer, basket, range=None):  # noqa: A002 (Oscar's name)
        """Every discountable line with something left to pay, cheapest first.

        Oscar 4.2.1 requires a range or this override. Unlike Oscar's own
        benefits this ignores which offers "consumed" a line: points are
        money, so they pay for what is left after every other discount,
        including the store's exclusive offers, as a gift card would.
        """
        line_tuples = []
        for line in priced_lines(basket):
            price = line.unit_effective_price
            if not price or not self.can_apply_benefit(line):
                continue
            left = price * line.quantity - line.discount_value
            if left > 0:
                line_tuples.append((left, line))
        return sorted(line_tuples, key=operator.itemgetter(0))

    def apply(self, basket, condition, offer, **kwargs):
        redemption = redemption_services.redemption_for(basket)
        if redemption is None or not redemption.is_live():
            return ZERO_DISCOUNT
        if offer.id in basket.offer_applications.applications:
            # Oscar applies an offer again while it keeps succeeding; the
            # points are spent once per basket.
            return ZERO_DISCOUNT
        line_tuples = self.get_applicable_lines(offer, basket)
        total = sum((left for left, _line in line_tuples), ZERO)
        discount = min(
            points_to_money(redemption.points), total, redemption_services.max_discount(basket)
        )
        if discount <= ZERO:
            return ZERO_DISCOUNT
        show_name_translated(offer)
        # Spread over the lines in proportion to what is left on each, rounded
        # down; the last line takes the rounding remainder so the total is exact.
        applied = ZERO
        for index, (left, line) in enumerate(line_tuples):
            if index == len(line_tuples) - 1:
                share = min(discount - applied, left)
            else:
                share = min(self.round(left / total * discount, basket.currency), left)
            if share > ZERO:
                # No ``offer`` on the line's discount: Oscar would then write an
                # OrderLineDiscount row per line (two queries each) at placement.
                # Points are a tender, not a promotion; each line's paid price
                # already includes its share, and returns are worked out from
                # the paid prices (``reversal``).
                apply_discount(line, share, line.quantity)
                applied += share
        return BasketDiscount(applied)

    def apply_deferred(self, basket, order, application):
        keep_no_usage_counters(application["offer"])
        name_its_order_discount(application["offer"])
        captured = redemption_services.capture_for_order(basket, order, application["discount"])
        if captured is None:
            return None
        # For the thank-you page (``receipt``), which then asks the database nothing.
        setattr(basket, receipt.CAPTURED_ATTRIBUTE, captured.captured_points)
        # The settlement must follow: enqueue it in this transaction when the
        # queue is the database (one commit, never lost), else on order_placed.
        orders.enqueue_in_transaction(order)
        return f"{captured.captured_points} club points spent"


# The site offer ----------------------------------------------------------------

POINTS_OFFER_SLUG = "club-points-discount"
CONDITION_PATH = "oscar_loyalty.apps.points.benefits.PointsRedemptionCondition"


def points_offers():
    """Every offer that spends points: found by its benefit class, whatever staff renamed."""
    return offers_with_benefit(redemption_services.DISCOUNT_BENEFIT_PATH)


def show_name_translated(offer) -> None:
    """Give the basket the points offer's name in the shopper's language.

    The offer row keeps one name, in the store's language (``ensure_points_offer``);
    Oscar's basket, checkout and order discount take ``offer.name`` from the
    instance the benefit is applied with. While staff keep the default name, that
    instance carries the active language's; a name staff wrote is shown as
    written. ``keep_stored_name`` (``pre_save``) puts the stored name back
    should anything save that instance (Oscar's ``record_usage`` no longer does,
    ``site_offers.keep_no_usage_counters``).
    """
    translated = offer_name(offer.name)
    if translated != offer.name:
        offer.loyalty_stored_name = getattr(offer, "loyalty_stored_name", offer.name)
        offer.name = translated


def keep_stored_name(sender, instance, **kwargs) -> None:
    """``pre_save`` of Oscar's offer: never store the name shown to one shopper."""
    stored = getattr(instance, "loyalty_stored_name", None)
    if stored is not None:
        instance.name = stored


def ensure_points_offer():
    """The site offer that turns reserved points into a discount, created on first use.

    Called before a member's points are reserved (the offer must exist when
    Oscar next applies the basket's offers); see ``site_offers.ensure_site_offer``.
    """
    return ensure_site_offer(
        benefit_path=redemption_services.DISCOUNT_BENEFIT_PATH,
        condition_path=CONDITION_PATH,
        slug=POINTS_OFFER_SLUG,
        name=_("Club points"),
        description=_("Club members spend their points as money off, on the basket page."),
        # After the store's own offers: points pay for what is left.
        priority=-100,
    )
