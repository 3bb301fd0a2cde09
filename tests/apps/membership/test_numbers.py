import pytest

from oscar_loyalty.apps.membership.numbers import (
    generate_number,
    is_valid_number,
    luhn_check_digit,
    normalise_number,
)


def test_luhn_check_digit_matches_the_textbook_example():
    # The standard example: 7992739871 has check digit 3.
    assert luhn_check_digit("7992739871") == "3"


@pytest.mark.parametrize("length", [8, 10, 18])
def test_generated_numbers_have_the_length_and_a_valid_check_digit(length):
    number = generate_number(length=length)
    assert len(number) == length
    assert number[0] != "0"
    assert is_valid_number(number, length=length)


def test_a_single_mistyped_digit_is_caught_by_the_check_digit():
    number = generate_number(length=10)
    wrong_digit = str((int(number[3]) + 1) % 10)
    assert not is_valid_number(number[:3] + wrong_digit + number[4:], length=10)


def test_generated_numbers_are_not_sequential():
    numbers = sorted(int(generate_number(length=10)) for _ in range(50))
    gaps = {b - a for a, b in zip(numbers, numbers[1:], strict=False)}
    assert 1 not in gaps and len(set(numbers)) == 50


def test_spaces_and_dashes_are_ignored_when_a_number_is_typed():
    assert normalise_number(" 1234-5678 90 ") == "1234567890"
