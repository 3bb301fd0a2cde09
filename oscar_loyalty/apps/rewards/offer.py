"""The Oscar offer that gives a basket reward's product at no charge (or for its cash part).

The site offer "Club rewards" (made on first use by ``ensure_rewards_offer``,
never by a migration, as the points offer): ``RewardCondition`` is
satisfied by a basket holding reserved rewards, ``RewardBenefit`` takes one
unit of each reward's product off the line (all of it for a gift, price
less cash for points plus cash) as an ordinary Oscar line discount, so it
survives Oscar's checkout and the order line shows what was paid; its
``apply_deferred`` captures the rewards inside Oscar's order transaction.

Highest priority, so it sees each product at its full price before the
store's offers, and it consumes the units it discounts, so no other offer
discounts them again.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from oscar.apps.offer.results import ZERO_DISCOUNT, BasketDiscount
from oscar.core.loading import get_classes, get_model

from oscar_loyalty.apps.membership.baskets import basket_member
from oscar_loyalty.money import ZERO
from oscar_loyalty.site_offers import (
    LabelledBenefitMixin,
    LabelledConditionMixin,
    ensure_site_offer,
    keep_no_usage_counters,
    name_its_order_discount,
    offers_with_benefit,
)

from . import services

Condition = get_model("offer", "Condition")
(AbsoluteDiscountBenefit,) = get_classes("offer.benefits", ["AbsoluteDiscountBenefit"])

BENEFIT_PATH = "oscar_loyalty.apps.rewards.offer.RewardBenefit"
CONDITION_PATH = "oscar_loyalty.apps.rewards.offer.RewardCondition"
REWARDS_OFFER_SLUG = "club-rewards"
APPLIED_ATTRIBUTE = "_loyalty_rewards_applied"


class RewardCondition(LabelledConditionMixin, Condition):
    """Satisfied when a member's basket holds rewards still reserved."""

    label = _("Club rewards in the basket")

    class Meta:
        proxy = True
        app_label = "loyalty_rewards"

    def is_satisfied(self, offer, basket):
        member = basket_member(basket)
        if member is None:
            return False
        return bool(services.reserved_for(basket))

    # consume_items consumes nothing: the benefit consumes exactly the units it discounts.


class RewardBenefit(LabelledBenefitMixin, AbsoluteDiscountBenefit):
    """One unit of each reserved reward's product, at no charge or at its cash part."""

    title = _("Club rewards")
    summary = _("Rewards redeemed with club points")

    class Meta:
        proxy = True
        app_label = "loyalty_rewards"

    def apply(self, basket, condition, offer, **kwargs):
        if offer.id in basket.offer_applications.applications:
            return ZERO_DISCOUNT  # Oscar re-applies while an offer succeeds; once per basket
        lines_by_product: dict[int, list] = {}
        for line in basket.all_lines():
            lines_by_product.setdefault(line.product_id, []).append(line)
        total, applied = ZERO, []
        for redemption in services.reserved_for(basket):
            reward = redemption.reward
            for line in lines_by_product.get(reward.product_id, []):
                price = line.unit_effective_price
                if price is None or line.quantity_without_offer_discount(offer) < 1:
                    continue
                discount = max(price - redemption.cash, ZERO)
                if discount > ZERO:
                    line.discount(
                        discount, 1, incl_tax=settings.OSCAR_OFFERS_INCL_TAX, offer=offer
                    )
                else:
                    line.consume(1, offer=offer)
                total += discount
                applied.append(redemption.pk)
                break
        if not applied:
            return ZERO_DISCOUNT
        setattr(basket, APPLIED_ATTRIBUTE, applied)
        return BasketDiscount(total)

    def apply_deferred(self, basket, order, application):
        keep_no_usage_counters(application["offer"])
        name_its_order_discount(application["offer"])
        applied = getattr(basket, APPLIED_ATTRIBUTE, None)
        if not applied:
            return None
        captured = services.capture_for_order(basket, order, applied)
        return f"{captured} club reward(s) redeemed"


def rewards_offers():
    return offers_with_benefit(BENEFIT_PATH)


def ensure_rewards_offer():
    """The site offer behind basket rewards, created on first use (``site_offers``)."""
    return ensure_site_offer(
        benefit_path=BENEFIT_PATH,
        condition_path=CONDITION_PATH,
        slug=REWARDS_OFFER_SLUG,
        name=_("Club rewards"),
        description=_("Gifts and products members redeemed with their points."),
        # Before the store's offers: the reward's unit is priced first.
        priority=1000,
    )
