"""Live period aggregates are planned differently on PostgreSQL (docs/segments.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import UserFactory

from oscar_loyalty.apps.segments import services
from oscar_loyalty.apps.segments.models import Segment
from oscar_loyalty.apps.segments.rules import uses_aggregate, validate_rules

pytestmark = pytest.mark.django_db


def rule(type_, **params):
    return {"type": type_, "params": params}


def tree(*rules, op="and"):
    return validate_rules({"op": op, "rules": list(rules)})


def settings_sent(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].upper().startswith("SET LOCAL")]


def test_a_live_period_aggregate_is_recognised_even_inside_nested_groups():
    assert uses_aggregate(tree(rule("spend", min_amount="500", days=200)))
    nested = {"op": "and", "rules": [rule("orders", min_orders=2, days=45)]}
    assert uses_aggregate(tree(rule("city", cities="Haifa"), nested, op="or"))


def test_periods_the_daily_figures_hold_and_other_criteria_are_not_live_aggregates():
    assert not uses_aggregate(
        tree(
            rule("spend", min_amount="500", days=365),
            rule("orders", min_orders=3),
            rule("orders", min_orders=1, days=30),
            rule("city", cities="Haifa"),
            rule("last_purchase", within_days=200),
        )
    )


def test_a_live_aggregate_count_turns_hash_aggregation_off_on_postgresql_only(club):
    services.refresh_member_stats()
    live = tree(rule("spend", min_amount="500", days=31))
    with CaptureQueriesContext(connection) as queries:
        assert services.count_segment(live) == 1  # the big spender
    sent = settings_sent(queries)
    if connection.vendor == "postgresql":
        assert any("enable_hashagg" in sql for sql in sent)
        assert any("max_parallel_workers_per_gather" in sql for sql in sent)
        assert any("work_mem" in sql for sql in sent)
    else:
        assert sent == []


def test_other_counts_keep_the_default_plans_with_more_work_mem(club):
    services.refresh_member_stats()
    covered = tree(rule("spend", min_amount="500", days=30))
    with CaptureQueriesContext(connection) as queries:
        assert services.count_segment(covered) == 1
    sent = settings_sent(queries)
    assert not any("enable_hashagg" in sql for sql in sent)
    if connection.vendor == "postgresql":
        assert any("work_mem" in sql for sql in sent)


def test_the_member_list_of_a_live_aggregate_segment_runs_under_the_same_settings(client, club):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    segment = Segment.objects.create(
        name="Spent 500 in 31 days", rules=tree(rule("spend", min_amount="500", days=31))
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("loyalty_dashboard:loyalty-segment-members", args=[segment.pk])
        )
    assert response.status_code == 200
    assert list(response.context["members"]) == [club["big_spender"]]
    assert response.context["count"] == 1
    if connection.vendor == "postgresql":
        statements = [q["sql"] for q in queries.captured_queries]
        setting = next(i for i, sql in enumerate(statements) if "enable_hashagg" in sql)
        # The count and the page both come after the settings, in their transaction.
        assert any("COUNT(" in sql for sql in statements[setting:])
        assert any("ORDER BY" in sql and "joined_at" in sql for sql in statements[setting:])
