"""Chart axes: round ticks, whole numbers for counts, decimals only where the step needs them."""

from __future__ import annotations

import re

from oscar_loyalty.apps.reports.charts import axis_ticks, render_chart, tick_label
from oscar_loyalty.reporting import Chart, Column


def labels(low, high, *, integer=True, percent=False):
    ticks = axis_ticks(low, high, integer=integer)
    return [tick_label(t, ticks[1] - ticks[0], percent=percent) for t in ticks]


def y_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end"[^>]*>([^<]*)</text>', svg)


def test_a_count_of_at_most_one_gets_the_ticks_0_and_1_not_rounded_quarters():
    assert labels(0, 1) == ["0", "1"]


def test_a_count_up_to_ten_gets_whole_evenly_spaced_ticks():
    assert labels(0, 10) == ["0", "2", "4", "6", "8", "10"]
    assert labels(0, 7) == ["0", "2", "4", "6", "8"]
    assert labels(0, 1234) == ["0", "500", "1,000", "1,500"]


def test_money_may_tick_in_halves_and_shows_the_decimals_it_needs():
    assert labels(0, 12.5, integer=False) == ["0.0", "2.5", "5.0", "7.5", "10.0", "12.5"]


def test_negative_values_get_a_tick_below_zero():
    assert labels(-3, 8) == ["-5", "0", "5", "10"]


def test_the_rendered_chart_of_small_counts_has_whole_number_labels_only():
    columns = (Column("campaign", "Campaign", "text"), Column("opened", "Opened"))
    rows = [{"campaign": "A", "opened": 1}, {"campaign": "B", "opened": 0}]
    svg = render_chart(Chart("bar", "campaign", ("opened",)), rows, columns, title="t")
    assert y_labels(svg) == ["0", "1"]


def test_a_rate_axis_reads_in_whole_percentages():
    columns = (Column("month", "Month", "text"), Column("rate", "Rate", "percent"))
    rows = [{"month": "Jan", "rate": 0.25}, {"month": "Feb", "rate": 0.5}]
    svg = render_chart(Chart("line", "month", ("rate",)), rows, columns, title="t")
    assert y_labels(svg) == ["0%", "10%", "20%", "30%", "40%", "50%"]
