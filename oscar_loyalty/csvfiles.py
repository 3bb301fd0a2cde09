"""CSV downloads: one writer, and every cell it writes passes the formula guard.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and a leading tab or carriage return hides such a start from a
naive check while some spreadsheets still strip it and run what follows
(OWASP, "CSV Injection"). Text in a download often comes from people who are
not staff (a partner's reference, a campaign name, a member's typed reason),
so every text cell that starts with one of these is written with a leading
apostrophe, which makes the spreadsheet show it as text. Numbers are written
as they are: ``-40`` points must stay a number, and a string that is a plain
negative number (``"-2.00"``) cannot run anything.

Every CSV the add-on offers goes through ``writer``, ``response`` or
``streaming_response``; nothing else imports ``csv`` to write a download.
Uploads staff import are read with ``read_upload`` (same module, one place
for encodings and limits).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Excel reads a UTF-8 file (Hebrew, accents) correctly only when it starts with a BOM.
BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"


def guard(value):
    """``value`` made safe to open in a spreadsheet; non-text values pass unchanged."""
    if not isinstance(value, str) or value[:1] not in FORMULA_STARTS:
        return value
    if value[:1] == "-" and _is_plain_number(value):
        return value
    return "'" + value


def _is_plain_number(value: str) -> bool:
    # ASCII digits, one point at most: float() would also accept "-inf", "-1_0" or
    # "-1e9", none of which a report writes as a number.
    digits = value[1:].rstrip("%")
    whole, _point, fraction = digits.partition(".")
    return (
        bool(whole)
        and whole.isascii()
        and whole.isdigit()
        and (fraction == "" or (fraction.isascii() and fraction.isdigit()))
    )


class GuardedWriter:
    """``csv.writer`` whose rows pass ``guard`` cell by cell."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable):
        return self._writer.writerow([guard(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out, **kwargs) -> GuardedWriter:
    """A CSV writer on the file-like ``out``; every cell is guarded."""
    return GuardedWriter(out, **kwargs)


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def response(filename: str, rows: Iterable[Iterable], *, bom: bool = False) -> HttpResponse:
    """A download of ``rows`` (the header row first), built in memory."""
    result = HttpResponse(content_type=CONTENT_TYPE)
    if bom:
        result.write(BOM)
    writer(result).writerows(rows)
    return _attachment(result, filename)


class _Echo:
    """A file whose ``write`` hands back the line, for streaming."""

    def write(self, value):
        return value


def streaming_response(
    filename: str, rows: Iterable[Iterable], *, bom: bool = False
) -> StreamingHttpResponse:
    """A download of ``rows`` streamed line by line (a large export never sits in memory)."""
    lines = writer(_Echo())

    def content():
        if bom:
            yield BOM
        for row in rows:
            yield lines.writerow(row)

    return _attachment(StreamingHttpResponse(content(), content_type=CONTENT_TYPE), filename)


class UploadError(ValueError):
    """The uploaded file is not a CSV this reader accepts (the message says why)."""


def read_upload(upload, *, max_bytes: int = 5_000_000, max_rows: int = 50_000) -> list[dict]:
    """The rows of an uploaded CSV as dicts keyed by the lower-cased, stripped header.

    UTF-8 with or without Excel's BOM (Hebrew stays Hebrew); commas or
    semicolons (a Hebrew or European Excel saves with ";"), told apart by the
    header line. Values are stripped. Too large a file, another encoding or
    no header raise ``UploadError``: nothing is read half.
    """
    raw = upload.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise UploadError(
            _("The file is larger than %(size)d MB.") % {"size": max_bytes // 1_000_000}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UploadError(_("The file is not UTF-8 text (save it as CSV UTF-8).")) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as error:
        raise UploadError(_("The file is empty.")) from error
    names = [name.strip().lower() for name in header]
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, often at the end
        if len(rows) >= max_rows:
            raise UploadError(_("The file has more than %(rows)d rows.") % {"rows": max_rows})
        rows.append(
            {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names)}
        )
    return rows
