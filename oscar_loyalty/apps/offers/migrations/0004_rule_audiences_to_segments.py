"""Each members-only offer rule's tiers become a saved segment (issue #19: audiences are segments).

The segment is "tier in … AND the rule's segment, if it had one", so every
offer admits exactly the members it admitted. The list itself is dropped by
the next migration.
"""

from django.db import migrations

from oscar_loyalty.apps.segments.legacy_audiences import move_audiences_to_segments


def rule_audiences_to_segments(apps, schema_editor):
    offer_names = dict(
        apps.get_model("offer", "ConditionalOffer").objects.values_list("condition_id", "name")
    )
    move_audiences_to_segments(
        apps.get_model("loyalty_segments", "Segment"),
        apps.get_model("loyalty_offers", "MemberOfferRule").objects.all(),
        name_of=lambda rule: "Offer audience: "
        + (offer_names.get(rule.condition_id) or f"condition {rule.condition_id}"),
        description="The tiers the members-only offer chose before audiences were segments.",
        interests=False,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("loyalty_offers", "0003_price_book_version"),
        ("loyalty_segments", "0001_initial"),
        ("offer", "__first__"),
    ]

    operations = [
        # Backwards there is nothing to undo: the rule's segment alone already
        # admits the same members, and the list comes back empty.
        migrations.RunPython(rule_audiences_to_segments, migrations.RunPython.noop),
    ]
