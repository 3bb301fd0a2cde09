"""The club's newer features, one example of each, for the sandbox's demo data.

Split out of ``loyalty_demo_data`` (which calls each when its app is installed):
challenges (rewarding points, a voucher or a draw ticket), the rewards catalogue
(one reward for a segment), points for actions and tier perks.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

from django.utils import timezone
from oscar.core.loading import get_model

from oscar_loyalty.apps.membership.models import Tier


def challenges() -> None:
    """One challenge of each kind, running before the members' orders (they make progress)."""
    from oscar_loyalty.apps.challenges.models import Challenge

    start = timezone.now() - timedelta(days=400)
    examples = [
        ("3 orders in 30 days", Challenge.ORDERS, 3, 30, 300),
        ("Buy from 3 different categories", Challenge.CATEGORIES, 3, None, 200),
        ("Refer 2 friends", Challenge.REFERRALS, 2, None, 500),
        ("Write your first review", Challenge.REVIEWS, 1, None, 50),
    ]
    for name, kind, target, days, points in examples:
        Challenge.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "target": target,
                "period_days": days,
                "starts_at": start,
                "reward_kind": Challenge.POINTS,
                "reward_points": points,
                "max_completions": 3 if kind == Challenge.ORDERS else 1,
            },
        )
    # The two other rewards a challenge may give: a voucher and a ticket in a draw.
    Challenge.objects.get_or_create(
        name="Review 3 products, get 10% off",
        defaults={
            "kind": Challenge.REVIEWS,
            "target": 3,
            "starts_at": start,
            "reward_kind": Challenge.VOUCHER,
            "reward_points": 0,
            "reward_offer": _challenge_voucher_offer(),
        },
    )
    from oscar_loyalty.apps.offers.models import PrizeDraw

    now = timezone.now()
    draw, _ = PrizeDraw.objects.get_or_create(
        name="Challenge draw: a cooking class for two",
        defaults={
            "prize": "A cooking class for two in Tel Aviv",
            "winners_count": 1,
            "min_spend": D("500.00"),
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=60),
        },
    )
    Challenge.objects.get_or_create(
        name="Refer a friend, win a ticket in the draw",
        defaults={
            "kind": Challenge.REFERRALS,
            "target": 1,
            "starts_at": start,
            "reward_kind": Challenge.DRAW,
            "reward_points": 0,
            "reward_draw": draw,
        },
    )


def _challenge_voucher_offer():
    """The voucher offer a challenge gives: 10% off the next order."""
    Range = get_model("offer", "Range")
    Condition = get_model("offer", "Condition")
    Benefit = get_model("offer", "Benefit")
    ConditionalOffer = get_model("offer", "ConditionalOffer")

    everything, _ = Range.objects.get_or_create(
        name="Everything (club rewards)", defaults={"includes_all_products": True}
    )
    offer, _ = ConditionalOffer.objects.get_or_create(
        name="Challenge reward: 10% off",
        defaults={
            "offer_type": ConditionalOffer.VOUCHER,
            "condition": Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
            "benefit": Benefit.objects.create(
                range=everything, type=Benefit.PERCENTAGE, value=D("10")
            ),
        },
    )
    return offer


def rewards(products) -> None:
    """One reward of each kind, in both languages (docs/rewards.md)."""
    from oscar_loyalty.apps.rewards.models import Reward

    Range = get_model("offer", "Range")
    Condition = get_model("offer", "Condition")
    Benefit = get_model("offer", "Benefit")
    ConditionalOffer = get_model("offer", "ConditionalOffer")

    by_title = {product.title: product for product in products}
    everything, _ = Range.objects.get_or_create(
        name="Everything (club rewards)", defaults={"includes_all_products": True}
    )
    voucher_offer, _ = ConditionalOffer.objects.get_or_create(
        name="Club reward: 50 off",
        defaults={
            "offer_type": ConditionalOffer.VOUCHER,
            "condition": Condition.objects.create(
                range=everything, type=Condition.VALUE, value=D("200.00")
            ),
            "benefit": Benefit.objects.create(
                range=everything, type=Benefit.FIXED, value=D("50.00")
            ),
        },
    )
    examples = [
        {
            "name": "50 ₪ off an order of 200 ₪",
            "translations": {"he": {"name": "50 ₪ הנחה בהזמנה מעל 200 ₪"}},
            "kind": Reward.VOUCHER,
            "points": 1500,
            "voucher_offer": voucher_offer,
            "voucher_days": 30,
            "position": 10,
        },
        {
            "name": "Espresso cups, a gift",
            "translations": {"he": {"name": "ספלי אספרסו במתנה"}},
            "kind": Reward.GIFT,
            "points": 900,
            "product": by_title["Espresso cups (set of 4)"],
            "stock": 25,
            "per_member_limit": 1,
            "position": 20,
        },
        {
            "name": "Running shoes for 500 points and 249.90 ₪",
            "translations": {"he": {"name": "נעלי ריצה ב־500 נקודות ועוד 249.90 ₪"}},
            "kind": Reward.POINTS_PLUS_CASH,
            "points": 500,
            "cash": D("249.90"),
            "product": by_title["Running shoes"],
            "stock": 10,
            "per_member_limit": 1,
            "position": 30,
        },
    ]
    for fields in examples:
        Reward.objects.get_or_create(name=fields.pop("name"), defaults=fields)
    gold = Tier.objects.filter(code="gold").first()
    if gold is not None:
        reward, _ = Reward.objects.get_or_create(
            name="Chef's knife for Gold members",
            defaults={
                "translations": {"he": {"name": "סכין שף לחברי זהב"}},
                "kind": Reward.GIFT,
                "points": 2500,
                "product": by_title["Chef's knife"],
                "stock": 5,
                "per_member_limit": 1,
                "position": 40,
            },
        )
        reward.tiers.add(gold)


def segment_reward(segment) -> None:
    """A reward only the members of ``segment`` see and may redeem (after the segment exists)."""
    from oscar_loyalty.apps.rewards.models import Reward

    ConditionalOffer = get_model("offer", "ConditionalOffer")
    offer = ConditionalOffer.objects.filter(name="Club reward: 50 off").first()
    if offer is None:
        return
    Reward.objects.get_or_create(
        name="50 ₪ off for Tel Aviv shoe buyers",
        defaults={
            "translations": {"he": {"name": "50 ₪ הנחה לקוני הנעליים מתל אביב"}},
            "kind": Reward.VOUCHER,
            "points": 1000,
            "voucher_offer": offer,
            "voucher_days": 30,
            "segment_id": segment.pk,
            "position": 50,
        },
    )


def action_rules():
    """One example of each kind of points for actions (docs/actions.md)."""
    from oscar_loyalty.apps.actions.models import ActionRule

    examples = [
        ("Product review", "review", ActionRule.REVIEW, 30, 3, ActionRule.MONTH),
        ("Newsletter confirmed", "newsletter", ActionRule.NEWSLETTER, 50, None, "month"),
        ("Complete profile", "profile", ActionRule.PROFILE, 40, None, "month"),
        ("Membership anniversary", "anniversary", ActionRule.ANNIVERSARY, 200, None, "month"),
        ("App download", "app_download", ActionRule.CUSTOM, 100, None, "month"),
        ("Store visit", "store_visit", ActionRule.CUSTOM, 10, 3, ActionRule.MONTH),
    ]
    for name, code, kind, points, cap, period in examples:
        ActionRule.objects.create(
            name=name, code=code, kind=kind, points=points, cap_count=cap, cap_period=period
        )
    # Store visits pay Gold and Platinum members only.
    ActionRule.objects.get(code="store_visit").tiers.set(
        Tier.objects.filter(code__in=["gold", "platinum"])
    )


def tier_perks(products):
    """Gold and Platinum ship free, see the winter sale a week early and alone buy one oil."""
    from oscar_loyalty.apps.offers.services import save_tier_perk_offer

    Range = get_model("offer", "Range")
    top = list(Tier.objects.filter(code__in=["gold", "platinum"]))
    everything = Range.objects.create(
        name="Everything (club perks)",
        slug="club-perks-everything",
        includes_all_products=True,
    )
    save_tier_perk_offer(
        name="Free shipping for Gold and Platinum",
        tiers=top,
        range=everything,
        benefit_type="Shipping fixed price",
        benefit_value=D("0.00"),
    )
    # Silver pays a flat 10 ₪ for shipping: a discounted rate, not free.
    save_tier_perk_offer(
        name="Silver: shipping 10 ₪",
        tiers=list(Tier.objects.filter(code="silver")),
        range=everything,
        benefit_type="Shipping fixed price",
        benefit_value=D("10.00"),
    )
    sale = Range.objects.create(name="Winter sale", slug="winter-sale", is_public=True)
    for product in products[:4]:
        sale.add_product(product)
    now = timezone.now()
    save_tier_perk_offer(
        name="Winter sale: 20% off (Gold and Platinum first)",
        tiers=top,
        range=sale,
        benefit_type="Percentage",
        benefit_value=D("20"),
        starts_at=now - timedelta(days=1),
        everyone_from=now + timedelta(days=7),
        ends_at=now + timedelta(days=30),
    )
    gold_only(products)


def gold_only(products):
    """A product only Gold and Platinum members may buy: a range of its own, tier-only.

    Its own product, outside the demo members' orders, so their history stays buyable.
    """
    from oscar_loyalty.apps.offers.services import save_tier_only_range

    Product = get_model("catalogue", "Product")
    StockRecord = get_model("partner", "StockRecord")
    model = products[0]
    record = model.stockrecords.first()
    product = Product.objects.create(
        title="Reserve olive oil (Gold members)",
        product_class=model.product_class,
        structure=Product.STANDALONE,
        upc="DEMO-GOLD-ONLY",
        description="A demo product only Gold and Platinum members may buy.",
    )
    product.categories.set(model.categories.all())
    StockRecord.objects.create(
        product=product,
        partner=record.partner,
        partner_sku=product.upc,
        price=D("49.00"),
        num_in_stock=40,
    )
    Range = get_model("offer", "Range")
    collection = Range.objects.create(name="Gold collection", slug="gold-collection")
    collection.add_product(product)
    save_tier_only_range(
        range=collection, tiers=list(Tier.objects.filter(code__in=["gold", "platinum"]))
    )
