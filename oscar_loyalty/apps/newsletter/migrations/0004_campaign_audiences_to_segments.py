"""Each campaign's tiers and interests become a saved segment (issue #19: audiences are segments).

The segment is "tier in … AND interested in any of … AND the campaign's
segment, if it had one", so every campaign keeps exactly its audience. The
lists themselves are dropped by the next migration.
"""

from django.db import migrations

from oscar_loyalty.apps.segments.legacy_audiences import move_audiences_to_segments


def campaign_audiences_to_segments(apps, schema_editor):
    move_audiences_to_segments(
        apps.get_model("loyalty_segments", "Segment"),
        apps.get_model("loyalty_newsletter", "Campaign").objects.all(),
        name_of=lambda campaign: f"Campaign audience: {campaign.name}",
        description="The tiers and interests the campaign chose before audiences were segments.",
        interests=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("loyalty_newsletter", "0003_outbox_fewer_indexes"),
        ("loyalty_segments", "0001_initial"),
    ]

    operations = [
        # Backwards there is nothing to undo: the campaign's segment alone already
        # selects the same members, and the lists come back empty.
        migrations.RunPython(campaign_audiences_to_segments, migrations.RunPython.noop),
    ]
