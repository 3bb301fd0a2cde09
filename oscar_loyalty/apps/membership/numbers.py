"""Member numbers: random digits ending in a Luhn check digit.

Random rather than sequential, so that knowing one card number tells
nothing about the next; the check digit catches a mistyped number at the
till before any database lookup.
"""

from __future__ import annotations

import io
import secrets

import segno


def luhn_check_digit(digits: str) -> str:
    total = 0
    # Double every second digit counting from the right of the payload, as the
    # check digit will be appended to its right.
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def is_valid_number(number: str, *, length: int) -> bool:
    return (
        len(number) == length
        and all(ch in ASCII_DIGITS for ch in number)
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def generate_number(*, length: int) -> str:
    # A leading zero would be lost by spreadsheets and tills that treat the
    # number as an integer, so the first digit is 1-9.
    payload = str(secrets.randbelow(9) + 1) + "".join(
        str(secrets.randbelow(10)) for _ in range(length - 2)
    )
    return payload + luhn_check_digit(payload)


ASCII_DIGITS = frozenset("0123456789")


def has_foreign_digits(raw: str) -> bool:
    """Whether ``raw`` has digits of another script (``²``, ``١``, ``５``, ``三``).

    ``str.isdigit()`` and ``int()`` accept them, but card numbers are printed
    and stored in ASCII: such input is refused with its own message rather
    than guessed at (NFKC maps ``５`` and ``²`` to ASCII but leaves ``١``, so
    a partial mapping would make the rule depend on the script).
    """
    return any(ch.isnumeric() and ch not in ASCII_DIGITS for ch in str(raw))


def normalise_number(raw: str) -> str:
    """Keep the ASCII digits: drop the spaces and dashes people type or that a card prints."""
    return "".join(ch for ch in str(raw) if ch in ASCII_DIGITS)


def card_qr_svg(number: str, *, scale: int = 6) -> str:
    """The card's QR code as inline SVG: it holds the member number and nothing else."""
    return segno.make(number, error="m").svg_inline(
        scale=scale, dark="#000", light="#fff", border=2
    )


def _card_qr_file(number: str, kind: str, *, scale: int) -> bytes:
    buffer = io.BytesIO()
    segno.make(number, error="m").save(
        buffer, kind=kind, scale=scale, dark="#000", light="#fff", border=2
    )
    return buffer.getvalue()


def card_qr_svg_document(number: str, *, scale: int = 6) -> bytes:
    """The same code as a standalone SVG file (the member API serves it)."""
    return _card_qr_file(number, "svg", scale=scale)


def card_qr_png(number: str, *, scale: int = 8) -> bytes:
    """The same code as PNG, for apps that cannot draw SVG (segno needs no imaging library)."""
    return _card_qr_file(number, "png", scale=scale)
