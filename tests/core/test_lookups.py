import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.consent.models import Suppression
from oscar_loyalty.lookups import any_of
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_any_of_keeps_exactly_the_rows_an_in_filter_keeps():
    from oscar_loyalty.apps.membership.models import Member

    members = [MemberFactory(user=UserFactory()) for _ in range(4)]
    wanted = [members[0].user_id, members[2].user_id, members[2].user_id, None, 10**6]
    chosen = Member.objects.filter(any_of("user_id", wanted))
    assert sorted(chosen.values_list("pk", flat=True)) == sorted(
        Member.objects.filter(user_id__in=wanted).values_list("pk", flat=True)
    )
    assert set(chosen.values_list("pk", flat=True)) == {members[0].pk, members[2].pk}
    # Across a relation and on a text column too.
    assert (
        Member.objects.filter(any_of("user__username", [members[1].user.username])).get()
        == (members[1])
    )
    Suppression.objects.create(
        email_hash="a" * 64, scope=Suppression.ALL, reason=Suppression.HARD_BOUNCE
    )
    hashes = Suppression.objects.filter(any_of("email_hash", ["a" * 64, "b" * 64]))
    assert list(hashes.values_list("email_hash", flat=True)) == ["a" * 64]


def test_any_of_nothing_matches_nothing_without_a_query():
    from oscar_loyalty.apps.membership.models import Member

    MemberFactory(user=UserFactory())
    with CaptureQueriesContext(connection) as captured:
        assert list(Member.objects.filter(any_of("user_id", [None]))) == []
    assert len(captured) == 0


def test_on_postgresql_a_long_list_is_one_array_parameter_and_elsewhere_an_in_list():
    from oscar_loyalty.apps.membership.models import Member

    queryset = Member.objects.filter(any_of("user_id", range(1, 501)))
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    if connection.vendor == "postgresql":
        assert "= ANY(%s::integer[])" in sql and len(params) == 1 and len(params[0]) == 500
    else:
        assert " IN (" in sql and len(params) == 500
