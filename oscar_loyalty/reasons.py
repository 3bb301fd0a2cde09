"""The ledger's English audit reasons and the add-on's offer names, in the reader's language.

Every points entry keeps the reason it was written with, in English, for the
audit trail and the CSV export ("Spent on order 100023"). Pages show it
through ``describe`` (the ``loyalty_reason`` filter of ``loyalty_i18n``):
a reason of a known shape is translated, its order number, dates or inner
reason kept; anything else (a note staff typed, a partner's reference) is
shown as written. The stored text never changes, so a reason written before a
translation existed is translated too.

``offer_name`` does the same for the offers the add-on creates ("Club
points"): stored once, in the store's language, and shown in the reader's
while staff keep that name (in any of the store's languages).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext, gettext_noop

#: Whole reasons, translated as they are (bonus names, order events' reasons).
PLAIN = [
    gettext_noop("Welcome to the club"),
    gettext_noop("Happy birthday"),
    gettext_noop("Newsletter subscription confirmed"),
    gettext_noop("Profile completed"),
    gettext_noop("Challenge completed"),
    gettext_noop("Challenge reversed"),
    gettext_noop("Refund"),
    gettext_noop("Refunded"),
    gettext_noop("Order cancelled"),
    gettext_noop("Item cancelled"),
    gettext_noop("same shipping address as the referrer"),
    gettext_noop("same payment method as the referrer"),
    gettext_noop("not the customer's first order"),
]

#: Reasons with values, most specific first. ``reason`` is itself described;
#: ``date``, ``first`` and ``last`` are ISO dates shown in the reader's format.
SHAPES = [
    gettext_noop("Spent on order %(number)s"),
    gettext_noop("Friend referred (order %(number)s)"),
    gettext_noop("Welcome from a friend (order %(number)s)"),
    gettext_noop("Points earned on %(date)s expired"),
    gettext_noop("Points earned from %(first)s to %(last)s expired"),
    gettext_noop("%(reason)s: points spent on order %(number)s returned"),
    gettext_noop("%(reason)s: friend's order %(number)s"),
    gettext_noop("%(reason)s: order %(number)s"),
    gettext_noop("%(reason)s (order %(number)s)"),
    gettext_noop("Order %(number)s"),
    gettext_noop("Refund %(reference)s"),
]

_FIELD = re.compile(r"%\((\w+)\)s")
_DATES = {"date", "first", "last"}


@cache
def _patterns() -> list[tuple[re.Pattern, str]]:
    compiled = []
    for shape in SHAPES:
        parts = _FIELD.split(shape)
        regex = ""
        for index, part in enumerate(parts):
            if index % 2:
                regex += rf"(?P<{part}>.+)" if part == "reason" else rf"(?P<{part}>\S+)"
            else:
                regex += re.escape(part)
        compiled.append((re.compile(f"^{regex}$"), shape))
    return compiled


def _value(name: str, value: str) -> str:
    if name == "reason":
        return describe(value)
    if name in _DATES:
        try:
            return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return value


def describe(reason: str) -> str:
    """``reason`` in the active language if it has a known shape, else as written."""
    if not reason:
        return ""
    if reason in PLAIN:
        return gettext(reason)
    for pattern, shape in _patterns():
        match = pattern.match(reason)
        if match:
            values = {name: _value(name, value) for name, value in match.groupdict().items()}
            return gettext(shape) % values
    return reason


#: The names the add-on gives the offers it creates (``points.benefits``, the referrals
#: app's friend offer); a name staff changed is never one of these.
OFFER_NAMES = [
    gettext_noop("Club points"),
    gettext_noop("Friend's first order"),
]


@cache
def _offer_names(languages: tuple[str, ...]) -> dict[str, str]:
    """``{name in any language: its msgid}`` for the add-on's offers."""
    names = {}
    for msgid in OFFER_NAMES:
        names[msgid] = msgid
        for code in languages:
            with translation.override(code):
                names[gettext(msgid)] = msgid
    return names


def offer_name(name: str) -> str:
    """An offer's name in the active language if it is one the add-on gave, else as written."""
    msgid = _offer_names(tuple(code for code, _label in settings.LANGUAGES)).get(name)
    return gettext(msgid) if msgid else name
