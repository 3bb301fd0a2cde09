"""Hebrew (Israel): Django's display formats, with day-first input formats."""

from oscar_loyalty.formats.israel import *  # noqa: F403  (Django reads these names)
