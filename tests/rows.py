"""Row counts of many tables in one query (the fuzz tests' "nothing changed" check)."""

from __future__ import annotations

from django.db import connection


def count_rows(tables: list[str]) -> list[int]:
    """Each table's row count, in the order given: one round trip, however many tables."""
    quote = connection.ops.quote_name
    # Table names come from the models' metadata, quoted: not input.
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return list(cursor.fetchone())
