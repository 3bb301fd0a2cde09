"""Date and number formats for an Israeli store, per language (Django's ``FORMAT_MODULE_PATH``).

    FORMAT_MODULE_PATH = ["oscar_loyalty.formats"]

Django's own Hebrew formats show dates day first (06/12/2026) but *read*
typed dates month first, as English does: "06/12/2026" typed into a Hebrew
form was 12 June. Django's English shows 12/06/2026. An Israeli store reads
and writes dates day first in both languages, with a 24-hour clock, and the
week starts on Sunday. The first input format stays ISO (``%Y-%m-%d``),
because Django renders a field's value with it and the browser's date inputs
need that. Only what differs from Django's own module is set here; Django
falls back to its own for the rest.
"""
