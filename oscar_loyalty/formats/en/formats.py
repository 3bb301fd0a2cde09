"""English in an Israeli store: dates day first (06/12/2026), 24-hour clock."""

from oscar_loyalty.formats.israel import (  # noqa: F401  (Django reads these names)
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    THOUSAND_SEPARATOR,
    TIME_FORMAT,
)

DATETIME_FORMAT = "N j, Y, H:i"
