"""Amounts and dates as the active language writes them, in an Israeli store."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

from oscar_loyalty.money import format_money

DAY = datetime.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("language", "amount"),
    [("en", "₪1,234.50"), ("he", "\u200f1,234.50\xa0\u200f₪")],
)
def test_amounts_are_shekels_in_the_languages_own_order_never_ils(language, amount):
    with translation.override(language):
        assert format_money(D("1234.5")) == amount
        rendered = Template("{% load currency_filters %}{{ value|currency }}").render(
            Context({"value": D("1234.5")})
        )
    assert rendered == amount and "ILS" not in rendered


@pytest.mark.parametrize("language", ["en", "he"])
def test_short_dates_are_day_first_in_both_languages(language):
    with translation.override(language):
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == "06/12/2026"
        assert Template('{{ day|date:"SHORT_DATE_FORMAT" }}').render(Context({"day": DAY})) == (
            "06/12/2026"
        )


def test_long_dates_follow_the_language():
    with translation.override("he"):
        assert formats.date_format(DAY) == "6 בדצמבר 2026"
    with translation.override("en"):
        assert formats.date_format(DAY) == "Dec. 6, 2026"


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_typed_date_is_read_day_first_not_as_in_america(language):
    field = forms.DateField()
    with translation.override(language):
        assert field.clean("06/12/2026") == DAY
        assert field.clean("06.12.2026") == DAY
        assert field.clean("2026-12-06") == DAY  # what <input type="date"> sends


@pytest.mark.parametrize("language", ["en", "he"])
def test_times_use_the_24_hour_clock(language):
    moment = datetime.datetime(2026, 12, 6, 15, 5)
    with translation.override(language):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "06/12/2026 15:05"
        assert formats.time_format(moment.time()) == "15:05"


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_date_time_field_still_renders_what_the_browser_input_reads(language):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    with translation.override(language):
        html = widget.render("at", datetime.datetime(2026, 12, 6, 15, 5))
    assert 'value="2026-12-06 15:05:00"' in html
