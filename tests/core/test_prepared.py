"""PreparedQuery: compiled once, bound per call, rows built as Django's ModelIterable does."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oscar_loyalty.apps.membership.models import Member
from oscar_loyalty.prepared import PreparedQuery
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def members_joined_before(member_pk: int, now: datetime):
    return (
        Member.objects.filter(pk=member_pk, joined_at__lt=now)
        .select_related("user", "tier")
        .order_by()[:1]
    )


QUERY = PreparedQuery(members_joined_before, member_pk=int, now=datetime)


def test_each_call_binds_its_own_arguments_and_builds_related_objects_like_the_orm():
    first, second = MemberFactory(), MemberFactory()
    now = timezone.now()
    for member in (first, second):
        found = QUERY.first(member_pk=member.pk, now=now)
        expected = members_joined_before(member.pk, now).get()
        assert found == expected
        assert found.user.email == member.user.email
        assert found.tier_id == member.tier_id
    assert QUERY.first(member_pk=first.pk, now=first.joined_at - timedelta(seconds=1)) is None


def test_a_prepared_query_costs_one_query_and_no_compilation_after_the_first_call():
    member = MemberFactory()
    QUERY.first(member_pk=member.pk, now=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        assert QUERY.first(member_pk=member.pk, now=timezone.now()) == member
    assert len(queries) == 1


def test_an_argument_that_does_not_reach_the_sql_is_refused():
    query = PreparedQuery(
        lambda member_pk, now: Member.objects.filter(pk=member_pk), member_pk=int, now=datetime
    )
    with pytest.raises(ValueError, match="'now' is not a parameter"):
        query.first(member_pk=1, now=timezone.now())
