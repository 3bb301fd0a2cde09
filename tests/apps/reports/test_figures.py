from datetime import date

import pytest
from django.core.management import call_command

from oscar_loyalty.apps.reports.models import DailyFigure, MemberFacts

from .conftest import at, order

pytestmark = pytest.mark.django_db


def snapshot():
    figures = sorted(DailyFigure.objects.values_list("metric", "dimension", "date", "value"))
    facts = sorted(
        MemberFacts.objects.values_list(
            "member_id", "channel", "first_order_at", "second_order_at", "orders"
        )
    )
    return figures, facts


def test_refreshing_twice_gives_the_same_figures(club):
    first = snapshot()
    call_command("loyalty_refresh_report_figures", "--full")
    assert snapshot() == first
    call_command("loyalty_refresh_report_figures", "--since", "2025-02-15")
    assert snapshot() == first
    assert first[0] and first[1]


def test_an_incremental_refresh_picks_up_new_orders(club):
    order(club["chen"].user, at(2025, 3, 20))
    call_command("loyalty_refresh_report_figures", "--since", "2025-03-01")
    facts = MemberFacts.objects.get(member=club["chen"])
    assert facts.orders == 1 and facts.first_order_at == at(2025, 3, 20)
    assert (
        DailyFigure.objects.get(
            metric="cohort_active", dimension="2025-02", date=date(2025, 3, 1)
        ).value
        == 1
    )
