"""Indexes on Oscar's order tables that segment conditions on purchases need.

Oscar's own migrations own these tables, so the indexes are created here with
plain SQL (and dropped when this migration is reversed); see docs/segments.md
for the query plans they serve. On PostgreSQL the order index also carries the
columns the conditions read (``INCLUDE``), so a probe per member never touches
the table.
"""

from django.db import migrations

ORDER_INDEX = "loyalty_seg_order_user_date"
LINE_INDEX = "loyalty_seg_line_order_product"


def _tables(apps):
    order = apps.get_model("order", "Order")._meta.db_table
    line = apps.get_model("order", "Line")._meta.db_table
    return order, line


def create(apps, schema_editor):
    qn = schema_editor.quote_name
    order, line = _tables(apps)
    include = ""
    if schema_editor.connection.vendor == "postgresql":
        include = f" INCLUDE ({qn('id')}, {qn('status')}, {qn('total_incl_tax')})"
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {qn(ORDER_INDEX)} ON {qn(order)} "
        f"({qn('user_id')}, {qn('date_placed')}){include}"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {qn(LINE_INDEX)} ON {qn(line)} "
        f"({qn('order_id')}, {qn('product_id')})"
    )


def drop(apps, schema_editor):
    qn = schema_editor.quote_name
    for name in (ORDER_INDEX, LINE_INDEX):
        schema_editor.execute(f"DROP INDEX IF EXISTS {qn(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty_segments", "0001_initial"),
        ("order", "__first__"),
    ]

    operations = [migrations.RunPython(create, drop)]
