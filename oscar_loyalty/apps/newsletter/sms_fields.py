"""Merge fields of the SMS and WhatsApp text (``Campaign.sms_text``): ``{first_name}`` and others.

The syntax is the one the SMS text always had: a field's name in braces,
``{first_name}``. Any other ``{word}`` is refused by ``Campaign.clean()``, so
a typo never reaches a member as "{frist_name}"; a brace that does not
surround a word (``{ }``, ``:-}``) is plain text.

The values come from the email's ``Personaliser`` (the same last purchase and
the same matched product), built once per chunk and only when the text uses
a field that needs it. Another app adds a field with ``register``::

    register("short_link", label=_("Short link"), value=lambda values, user: ...)

``value(values, user)`` gets the chunk's ``SmsValues`` (its ``personaliser``,
``language`` and ``balances``) and returns plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from django.utils import formats, translation
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .personalise import Personaliser, points_balances

FIELD_PATTERN = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class SmsField:
    name: str
    label: str
    value: Callable[[SmsValues, object], str]


_FIELDS: dict[str, SmsField] = {}


def register(name: str, *, label, value: Callable[[SmsValues, object], str]) -> None:
    """Add (or replace) the merge field ``{name}``."""
    _FIELDS[name] = SmsField(name, label, value)


def unregister(name: str) -> None:
    _FIELDS.pop(name, None)


def registered() -> dict[str, SmsField]:
    return dict(_FIELDS)


def used_fields(text: str) -> list[str]:
    """The ``{word}`` names in ``text``, in order, each once (known or not)."""
    return list(dict.fromkeys(FIELD_PATTERN.findall(text or "")))


def unknown_fields(text: str) -> list[str]:
    return [name for name in used_fields(text) if name not in _FIELDS]


class _ChunkPersonaliser(Personaliser):
    """The email's ``Personaliser``, with the members read in one query.

    The outbox's rows carry users loaded with a few columns; following
    ``user.loyalty_member`` would cost a query per recipient.
    """

    def __init__(self, users, *, language: str):
        super().__init__(users, language=language)
        from oscar_loyalty.apps.membership.models import Member

        # The columns ``recommend`` reads: the phone's column alone, parsed
        # and validated per row by its field, was a quarter of a 10k estimate.
        members = Member.objects.filter(user_id__in=[u.pk for u in self.users]).only(
            "user_id", "budget_min", "budget_max"
        )
        self.members = {member.user_id: member for member in members}

    def _member(self, user):
        return self.members.get(user.pk)


class SmsValues:
    """Merge values for the recipients of one chunk: loaded once, only for the fields used."""

    def __init__(self, users: Iterable, *, language: str, text: str, messages=None):
        self.users = list(users)
        # {user id: outbox row} when sending: a product link names its message.
        self.messages = messages or {}
        self.language = language
        self.text = text or ""
        self.used = [name for name in used_fields(self.text) if name in _FIELDS]
        self._recommended: dict[int, object] = {}

    @cached_property
    def personaliser(self) -> Personaliser:
        return _ChunkPersonaliser(self.users, language=self.language)

    @cached_property
    def balances(self) -> dict[int, int]:
        return points_balances([u.pk for u in self.users]) or {}

    def recommended(self, user):
        """The member's matched product (the email's "Picked for you"), or ``None``."""
        if user.pk not in self._recommended:
            self._recommended[user.pk] = self.personaliser.recommend(user)
        return self._recommended[user.pk]

    def values(self, user) -> dict[str, str]:
        with translation.override(self.language):
            return {name: str(_FIELDS[name].value(self, user) or "") for name in self.used}

    def merge(self, user) -> str:
        """The text with this recipient's values; an empty value merges as nothing."""
        if not self.used:
            return self.text
        values = self.values(user)
        return FIELD_PATTERN.sub(lambda m: values.get(m.group(1), m.group(0)), self.text)


def merge_text(text: str, user, *, language: str) -> str:
    """One recipient's text (preview, tests)."""
    return SmsValues([user], language=language, text=text).merge(user)


# The fields ------------------------------------------------------------------


def _first_name(values: SmsValues, user) -> str:
    return user.first_name or _("club member")


def _points(values: SmsValues, user) -> str:
    return str(values.balances.get(user.pk, 0))


def _last_purchase(values: SmsValues, user) -> str:
    return values.personaliser.last_titles.get(user.pk, "")


def _last_purchase_date(values: SmsValues, user) -> str:
    placed = values.personaliser.last_dates.get(user.pk)
    return formats.date_format(localtime(placed), "SHORT_DATE_FORMAT") if placed else ""


def _product_name(values: SmsValues, user) -> str:
    product = values.recommended(user)
    return product.get_title() if product is not None else ""


def _product_link(values: SmsValues, user) -> str:
    """The product's URL; with click tracking on, the short signed link (``links``).

    Before sending (preview, counter, cost) no message exists yet: the link is
    a placeholder of the length the real one will have.
    """
    from oscar_loyalty import app_settings

    from .links import preview_link, short_link

    product = values.recommended(user)
    if product is None:
        return ""
    if not app_settings.TRACK_CLICKS:
        return values.personaliser.product_url(product)
    message = values.messages.get(user.pk)
    return short_link(message, product) if message is not None else preview_link(product)


register("first_name", label=gettext_lazy("First name"), value=_first_name)
register("points", label=gettext_lazy("Points balance"), value=_points)
register("last_purchase", label=gettext_lazy("Last purchase (product)"), value=_last_purchase)
register(
    "last_purchase_date", label=gettext_lazy("Last purchase (date)"), value=_last_purchase_date
)
register("product_name", label=gettext_lazy("Matched product"), value=_product_name)
register("product_link", label=gettext_lazy("Matched product's link"), value=_product_link)
