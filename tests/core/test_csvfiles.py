"""The one CSV writer: every download's cells pass the formula guard (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest

from oscar_loyalty import csvfiles


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_with_any_formula_character_is_written_as_text(start):
    out = io.StringIO()
    csvfiles.writer(out).writerow([f"{start}HYPERLINK(evil)", "plain"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [f"'{start}HYPERLINK(evil)", "plain"]


@pytest.mark.parametrize("value", ["-2.00", "-40", "-12.5%", "0.25"])
def test_a_plain_number_written_as_text_stays_a_number(value):
    assert csvfiles.guard(value) == value


@pytest.mark.parametrize("value", ["-1+cmd|' /C calc'!A0", "-inf", "-1e9", "-١", "-", "-.5"])
def test_a_minus_that_is_not_a_plain_number_is_guarded(value):
    assert csvfiles.guard(value) == "'" + value


@pytest.mark.parametrize("value", [-40, D("-2.00"), None, 3.5])
def test_numbers_and_empty_cells_pass_unchanged(value):
    assert csvfiles.guard(value) is value


def test_a_streamed_download_is_guarded_and_keeps_its_name():
    response = csvfiles.streaming_response("x.csv", [["a"], ["\t=cmd"]], bom=True)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(body.lstrip("\ufeff")))) == [["a"], ["'\t=cmd"]]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
