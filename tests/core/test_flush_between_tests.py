"""The flush after each transactional test (tests/conftest.py: DELETE, not TRUNCATE, on
PostgreSQL) leaves every table empty, foreign keys between the rows notwithstanding."""

from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.test import Client
from oscar.test.factories import create_product, create_stockrecord

from oscar_loyalty.apps.points import services as points
from tests.checkout import add_to_basket, place_order
from tests.factories import MemberFactory
from tests.rows import count_rows


def _row_counts() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return dict(zip(tables, count_rows(tables), strict=True))


# In the test's transaction, not a transactional test: the rows come back at its end,
# and no later test depends on what the migrations wrote being restored.
@pytest.mark.django_db
def test_the_flush_between_transactional_tests_empties_every_table_rows_pointing_at_rows():
    member = MemberFactory()
    points.adjust_points(member, 500, reason="Start", staff_user=None)
    product = create_product(title="Boots")
    create_stockrecord(product, price=D("50.00"), num_in_stock=5)
    client = Client()
    client.force_login(member.user)
    add_to_basket(client, product)
    place_order(client)
    written = {table for table, count in _row_counts().items() if count}
    # Orders, their lines, the member, the ledger: rows that point at one another.
    assert {"order_order", "order_line", "loyalty_membership_member"} <= written

    # As TransactionTestCase calls it (sequences kept), without post_migrate, which
    # would write content types and permissions back.
    call_command(
        "flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True
    )
    # What commit would check: every foreign key of every remaining row (none).
    connection.check_constraints()

    assert {table: count for table, count in _row_counts().items() if count} == {}
    if connection.vendor == "postgresql":  # the flush this checked is the suite's DELETE
        assert connection.ops.sql_flush(no_style(), ["order_order"]) == [
            'DELETE FROM "order_order";'
        ]
