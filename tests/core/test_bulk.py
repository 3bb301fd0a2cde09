import pytest
from django.db import connection

from oscar_loyalty.apps.consent.models import Suppression
from oscar_loyalty.bulk import insert, new

pytestmark = pytest.mark.django_db


def rows(prefix, count):
    return [
        new(
            Suppression,
            email_hash=f"{prefix}{n:02d}",
            scope=Suppression.ALL,
            reason=Suppression.COMPLAINT,
        )
        for n in range(count)
    ]


def test_inserted_rows_get_their_keys_and_read_back_with_every_value():
    written = insert(Suppression, rows("k", 3))
    assert all(row.pk for row in written)
    stored = Suppression.objects.in_bulk([row.pk for row in written])
    assert sorted(s.email_hash for s in stored.values()) == ["k00", "k01", "k02"]
    assert all(s.created_at is not None and s.source == "" for s in stored.values())


def test_without_keys_the_database_numbers_the_rows_and_none_are_reserved():
    before = Suppression.objects.count()
    written = insert(Suppression, rows("n", 4), with_pks=False)
    assert Suppression.objects.count() == before + 4
    assert set(
        Suppression.objects.filter(email_hash__startswith="n").values_list("email_hash", flat=True)
    ) == {"n00", "n01", "n02", "n03"}
    if connection.vendor == "postgresql":  # COPY: keys stay with the database
        assert all(row.pk is None for row in written)
    # Rows written later still get fresh keys: the sequence was not left behind.
    insert(Suppression, rows("m", 2))
    assert Suppression.objects.filter(email_hash__startswith="m").count() == 2
