"""A captured redemption is final (issue #17): the database refuses to take it back.

Rows a stale second tab had reset to "reserved" after their order captured
them (the defect this closes) are first restored to "captured", so that the
daily job settles the debit their order's discount was never charged.
"""

from django.db import migrations, models


def restore_reopened_captures(apps, schema_editor):
    PointsRedemption = apps.get_model("loyalty_points", "PointsRedemption")
    PointsRedemption.objects.filter(order__isnull=False).exclude(status="captured").update(
        status="captured"
    )


class Migration(migrations.Migration):
    # No dependency on Oscar's migrations by number: stores fork those apps.
    dependencies = [
        ("loyalty_points", "0005_drop_preview_offer"),
    ]

    operations = [
        migrations.RunPython(restore_reopened_captures, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="pointsredemption",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("order__isnull", False), ("status", "captured")),
                    models.Q(
                        models.Q(("status", "captured"), _negated=True), ("order__isnull", True)
                    ),
                    _connector="OR",
                ),
                name="loyalty_redemption_captured_iff_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="pointsredemption",
            constraint=models.CheckConstraint(
                condition=models.Q(("returned_points__lte", models.F("captured_points"))),
                name="loyalty_redemption_returns_at_most_captured",
            ),
        ),
    ]
