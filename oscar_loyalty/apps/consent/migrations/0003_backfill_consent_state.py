"""Derive ConsentState from the records written before it existed.

Records from before double opt-in are taken as they were given: a grant is
"granted" (grandfathered; see docs/consent.md), a withdrawal "withdrawn".
"""

from django.db import migrations


def backfill(apps, schema_editor):
    ConsentRecord = apps.get_model("loyalty_consent", "ConsentRecord")
    ConsentState = apps.get_model("loyalty_consent", "ConsentState")
    latest = {}
    for record in ConsentRecord.objects.exclude(user=None).order_by("created_at", "pk").iterator():
        latest[(record.user_id, record.purpose, record.channel)] = record
    ConsentState.objects.bulk_create(
        [
            ConsentState(
                user_id=user_id,
                purpose=purpose,
                channel=channel,
                status="granted" if record.action == "grant" else "withdrawn",
                last_record=record,
                granted_at=record.created_at if record.action == "grant" else None,
                withdrawn_at=record.created_at if record.action != "grant" else None,
                updated_at=record.created_at,
            )
            for (user_id, purpose, channel), record in latest.items()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("loyalty_consent", "0002_ledger_state_suppression")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
