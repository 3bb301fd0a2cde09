"""The two site offers that bring points into Oscar's basket and checkout (no longer made here).

Since issue #18 this migration creates nothing: a row made at ``migrate`` took
primary key 1 and a place in the offer lists of stores (and of Oscar's own
tests) that expect only their own rows. ``benefits.ensure_points_offer``
creates the points offer the first time a member applies points. Databases
migrated before keep the rows it made; ``create_offers`` stays for them and
for tests that want the old rows.

Equivalent to ``oscar.apps.offer.custom.create_condition/create_benefit`` (which
use the current models, not the historical ones a migration must use).
Staff may rename them or change their priority in the offers dashboard;
``slug`` identifies them.
"""

from django.db import migrations

OFFERS = [
    {
        "slug": "club-points-discount",
        "name": "Club points",
        "condition": "oscar_loyalty.apps.points.benefits.PointsRedemptionCondition",
        "benefit": "oscar_loyalty.apps.points.benefits.PointsDiscountBenefit",
        "benefit_type": "",
        "description": "Club members spend their points as money off, on the basket page.",
        # After the store's own offers: points pay for what is left.
        "priority": -100,
    },
    {
        "slug": "club-points-you-will-earn",
        "name": "Club points you will earn",
        "condition": "oscar_loyalty.apps.points.benefits.ClubMemberCondition",
        "benefit": "oscar_loyalty.apps.points.benefits.PointsPreviewBenefit",
        "benefit_type": "",
        "description": "Club members earn points on every order.",
        # Last of all: it sees the basket after every discount, points included.
        "priority": -200,
    },
]


def create_offers(apps, schema_editor):
    ConditionalOffer = apps.get_model("offer", "ConditionalOffer")
    Condition = apps.get_model("offer", "Condition")
    Benefit = apps.get_model("offer", "Benefit")
    for spec in OFFERS:
        if ConditionalOffer.objects.filter(slug=spec["slug"]).exists():
            continue
        condition = Condition.objects.create(proxy_class=spec["condition"])
        benefit = Benefit.objects.create(proxy_class=spec["benefit"], type=spec["benefit_type"])
        ConditionalOffer.objects.create(
            name=spec["name"],
            slug=spec["slug"],
            description=spec["description"],
            offer_type="Site",
            exclusive=False,
            status="Open",
            priority=spec["priority"],
            max_basket_applications=1,
            condition=condition,
            benefit=benefit,
        )


def delete_offers(apps, schema_editor):
    ConditionalOffer = apps.get_model("offer", "ConditionalOffer")
    for offer in ConditionalOffer.objects.filter(slug__in=[s["slug"] for s in OFFERS]):
        condition, benefit = offer.condition, offer.benefit
        offer.delete()
        condition.delete()
        benefit.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty_points", "0001_initial"),
        ("offer", "__first__"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, delete_offers)]
