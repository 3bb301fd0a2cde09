"""An index on Oscar's orders that the reports need: (user, date placed).

Finding each member's first and second order (``figures._refresh_facts``) and
each member's orders by month is an index range scan per member with it, and a
sort of millions of orders without it. Oscar's ``Order`` is not ours to
migrate (and a store may fork it), so the index is created here, on whatever
table the store's ``order.Order`` uses.
"""

from django.db import migrations

INDEX = "loyalty_rpt_order_user_date"


def _table(apps, schema_editor):
    order = apps.get_model("order", "Order")
    return schema_editor.quote_name(order._meta.db_table)


def create_index(apps, schema_editor):
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON {_table(apps, schema_editor)} "
        "(user_id, date_placed)"
    )


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty_reports", "0001_initial"),
        ("order", "__first__"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
