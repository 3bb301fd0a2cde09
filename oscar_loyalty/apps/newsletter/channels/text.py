"""The text of an advertising SMS under §30A, and how many parts it costs.

Pure functions, no database. Every advertising SMS or WhatsApp message:

* starts with "פרסומת" (§30A(e)(1)(a): at the start of the advertisement);
* names the advertiser (§30A(e)(2): "only its name and contact details for
  giving a refusal");
* ends with a way to refuse by reply (§30A(d): refusal "in the way the
  advertisement was sent"; ת"ק 30204-08-14 held a link alone insufficient).

The parts are counted on the text actually sent, prefix and footer included.
GSM 03.38: a text of the GSM-7 alphabet holds 160 characters in one message
and 153 per part when split (the other 7 septets are the concatenation
header); characters of the extension table take two septets. Anything else
(Hebrew) is sent as UCS-2: 70 characters, 67 per part; a character outside
the Basic Multilingual Plane (most emoji) takes two UTF-16 code units.
"""

from __future__ import annotations

from dataclasses import dataclass

ADVERTISING_PREFIX = "פרסומת"

# GSM 03.38 default alphabet and its extension table (each extension
# character is sent as ESC + character: two septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int
    per_part: int  # the limit that applied: 160/153 or 70/67
    remaining: int  # units left in the last part


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def count_segments(text: str) -> Segments:
    """How ``text`` is encoded and in how many parts it is sent."""
    if is_gsm7(text):
        encoding, single, multi = "GSM-7", 160, 153
        units = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    else:
        encoding, single, multi = "UCS-2", 70, 67
        units = len(text.encode("utf-16-le")) // 2
    if units <= single:
        return Segments(encoding, units, 1 if units else 0, single, single - units)
    parts = -(-units // multi)
    return Segments(encoding, units, parts, multi, parts * multi - units)


def compose(body: str, *, sender: str, refusal: str) -> str:
    """The advertising text as sent: "פרסומת", the sender's name, the body, the refusal.

    ``פרסומת - {sender}: {body}\\n{refusal}``. A body already starting with the
    prefix is not prefixed twice; the sender and the refusal are always added.
    """
    body = (body or "").strip()
    if body.startswith(ADVERTISING_PREFIX):
        body = body[len(ADVERTISING_PREFIX) :].lstrip(" -:|")
    head = f"{ADVERTISING_PREFIX} - {sender}" if sender else ADVERTISING_PREFIX
    return f"{head}: {body}\n{refusal}"


def is_compliant(text: str, *, sender: str, refusal: str) -> bool:
    """Starts with the prefix, names the sender, ends with the refusal instruction."""
    return (
        text.startswith(ADVERTISING_PREFIX)
        and (not sender or sender in text)
        and text.rstrip().endswith(refusal)
    )
