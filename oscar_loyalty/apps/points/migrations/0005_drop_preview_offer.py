"""Drop the "Club points you will earn" site offer (created by 0002).

Oscar writes three rows per order for every offer that applied, so the
preview cost each member's order three queries; the points template tags now
show "You will earn N points" from the earning policy instead. Past orders
keep their ``OrderDiscount`` rows (they store the offer's name, not a key).
"""

from django.db import migrations

SLUG = "club-points-you-will-earn"


def delete_preview_offer(apps, schema_editor):
    ConditionalOffer = apps.get_model("offer", "ConditionalOffer")
    for offer in ConditionalOffer.objects.filter(slug=SLUG):
        condition, benefit = offer.condition, offer.benefit
        offer.delete()
        # The condition class stays (stores use it for member-only offers),
        # but this row belonged to the preview offer alone.
        if not ConditionalOffer.objects.filter(condition=condition).exists():
            condition.delete()
        if not ConditionalOffer.objects.filter(benefit=benefit).exists():
            benefit.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty_points", "0004_partial_indexes"),
        ("offer", "__first__"),
    ]

    operations = [
        migrations.RunPython(delete_preview_offer, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="PointsPreviewBenefit",
        ),
    ]
