"""English in an Israeli store: dates day first (06/12/2026), 24-hour clock."""

from oscar_loyalty.formats.israel import *  # noqa: F403  (Django reads these names)

DATETIME_FORMAT = "N j, Y, H:i"
