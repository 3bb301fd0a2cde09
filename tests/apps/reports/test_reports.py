from datetime import date
from decimal import Decimal as D

import pytest

from oscar_loyalty.apps.reports.registry import Period, all_reports, get_report

from .conftest import _first_touch

pytestmark = pytest.mark.django_db

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31), "month")


def rows(key, period=Q1):
    return get_report(key).rows(period)


def column(result, key):
    return [row[key] for row in result]


def test_member_growth_counts_new_total_and_active_members_per_month(club):
    result = rows("members")
    assert column(result, "period") == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    assert column(result, "new_members") == [2, 1, 0]
    assert column(result, "total_members") == [2, 3, 3]
    # Bat's February order was cancelled: it does not make her active.
    assert column(result, "active_members") == [2, 1, 1]


def test_a_date_range_counts_earlier_members_in_the_running_total(club):
    result = rows("members", Period(date(2025, 2, 1), date(2025, 2, 28), "month"))
    assert result == [
        {"period": date(2025, 2, 1), "new_members": 1, "total_members": 3, "active_members": 1}
    ]


def test_grouping_by_day_gives_one_row_per_day(club):
    result = rows("members", Period(date(2025, 1, 19), date(2025, 1, 21), "day"))
    assert column(result, "new_members") == [0, 1, 0]
    assert column(result, "total_members") == [1, 2, 2]


def test_points_report_shows_flows_outstanding_and_liability_in_money(club, settings):
    settings.OSCAR_LOYALTY_POINTS_VALUE = "0.01"
    result = rows("points")
    assert column(result, "issued") == [1600, 0, 0]
    assert column(result, "redeemed") == [0, 300, 0]
    assert column(result, "expired") == [0, 0, 800]
    assert column(result, "outstanding") == [1600, 1300, 500]
    assert column(result, "liability") == [D("16.00"), D("13.00"), D("5.00")]


def test_outstanding_points_carry_over_from_before_the_range(club):
    result = rows("points", Period(date(2025, 3, 1), date(2025, 3, 31), "month"))
    assert result[0]["outstanding"] == 500
    assert result[0]["issued"] == 0


def test_breakage_is_expired_over_redeemed_plus_expired(club):
    result = rows("breakage")
    assert column(result, "breakage_rate") == [None, 0.0, 1.0]
    # 800 expired of 1100 that left balances.
    assert result[-1]["cumulative_rate"] == round(800 / 1100, 4)


def test_repeat_purchase_rate_counts_members_with_a_second_order(club):
    result = rows("repeat_purchase")
    assert column(result, "customers") == [2, 2, 2]
    assert column(result, "repeat_customers") == [0, 1, 1]
    assert column(result, "repeat_rate") == [0.0, 0.5, 0.5]


def test_cohort_retention_is_the_share_of_each_join_month_that_ordered_later(club):
    january, february, _march = rows("cohorts")
    assert january["members"] == 2
    assert (january["m0"], january["m1"], january["m2"], january["m3"]) == (1.0, 0.5, 0.5, 0.0)
    assert february["members"] == 1
    assert february["m0"] == 0.0


def test_tier_distribution_counts_active_members_by_current_tier(club):
    result = {row["tier"]: row["members"] for row in rows("tiers")}
    assert result == {"No tier": 1, "Silver": 1, "Gold": 1}


def test_tier_movement_separates_upgrades_from_downgrades(club):
    result = rows("tier_movement")
    assert column(result, "upgrades") == [1, 1, 0]
    assert column(result, "downgrades") == [0, 0, 1]


def test_referral_funnel_counts_visits_sign_ups_first_orders_and_rewards(club):
    january = rows("referrals")[0]
    assert january == {
        "period": date(2025, 1, 1),
        "visits": 3,
        "sign_ups": 1,
        "first_orders": 1,
        "rewards": 1,
        "reversed": 0,
    }


def test_acquisition_funnel_follows_each_channel_to_first_and_repeat_orders(club):
    result = {row["channel"]: row for row in rows("acquisition")}
    avi_channel = "search" if _first_touch() is not None else "direct"
    assert result[avi_channel]["members"] == 1
    assert result[avi_channel]["repeat_order"] == 1
    assert result["referral"]["first_order"] == 1
    assert result["referral"]["repeat_order"] == 0
    assert sum(row["members"] for row in result.values()) == 3
    assert sum(row["first_order"] for row in result.values()) == 2


def test_every_report_computes_on_an_empty_range(club):
    empty = Period(date(2020, 1, 1), date(2020, 2, 29), "month")
    for report in all_reports():
        result = report.rows(empty)
        for row in result:
            assert set(row) >= {c.key for c in report.columns}
