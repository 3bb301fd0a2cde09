"""What staff see before an SMS campaign goes out: each recipient's exact text and the cost.

``preview_sms`` builds the messages ``channel_sending.build_messages`` would
send (the merged text wrapped under §30A) for chosen members of the audience.
``estimate_cost`` counts the recipients fan-out would write (``fanout.recipients``:
consent bound to the number, one message per number, suppressions left out)
and the parts of each one's merged message, exactly, a chunk at a time;
then the price per part (``OSCAR_LOYALTY_SMS_PRICE_PER_PART``), rounded half
up to the agora.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model

from oscar_loyalty import app_settings

from .channels import get_backend
from .channels.text import Segments, compose, count_segments
from .models import Campaign
from .sms_fields import SmsValues

AGORA = Decimal("0.01")


@dataclass(frozen=True)
class SmsPreview:
    member: object
    to: str
    text: str
    segments: Segments


def _users(user_ids):
    # The columns the merge fields read from the user; the rest come per chunk.
    users = get_user_model().objects.filter(pk__in=list(user_ids)).only("pk", "first_name")
    return {user.pk: user for user in users}


def wrapper():
    """``text -> the text as sent`` (§30A), the sender's name and refusal read once."""
    from .channel_sending import sender_name

    sender, refusal = sender_name(), app_settings.SMS_REFUSAL_TEXT
    return lambda text: compose(text, sender=sender, refusal=refusal)


def preview_sms(campaign: Campaign, members, *, channel: str = "sms") -> list[SmsPreview]:
    """The exact message each of ``members`` would get, with its characters and parts."""
    from django.conf import settings

    from oscar_loyalty import phones

    members = list(members)
    users = _users(m.user_id for m in members)
    numbers = phones.stored_numbers(users)
    wrap = wrapper()
    previews = []
    for member in members:
        language = member.language or settings.LANGUAGE_CODE
        user = users[member.user_id]
        values = SmsValues([user], language=language, text=campaign.sms_text)
        text = wrap(values.merge(user))
        previews.append(
            SmsPreview(member, numbers.get(member.user_id, ""), text, count_segments(text))
        )
    return previews


def audience_sample(campaign: Campaign, *, channel: str = "sms", limit: int = 5):
    """The first ``limit`` members of the channel's audience (by user id, as fan-out writes)."""
    from .fanout import audience

    return list(audience(campaign, channel).order_by("user_id")[:limit])


def find_in_audience(campaign: Campaign, query: str, *, channel: str = "sms"):
    """The audience's member with this card number or email address, or ``None``."""
    from django.db.models import Q

    from .fanout import audience

    query = (query or "").strip()
    if not query:
        return None
    return (
        audience(campaign, channel)
        .filter(Q(number=query) | Q(user__email__iexact=query))
        .order_by("user_id")
        .first()
    )


def price_per_part(provider: str) -> Decimal | None:
    """The setting's price for ``provider``: one Decimal for all, or a dict by provider name."""
    price = app_settings.SMS_PRICE_PER_PART
    if isinstance(price, dict):
        price = price.get(provider, price.get("default"))
    if price is None or price == "":
        return None
    return Decimal(str(price))


@dataclass(frozen=True)
class CostEstimate:
    recipients: int
    parts: int
    provider: str
    price_per_part: Decimal | None
    cost: Decimal | None


def estimate_cost(campaign: Campaign, *, channel: str = "sms") -> CostEstimate:
    """Recipients, their parts (each merged message counted) and the price."""
    from .fanout import recipients

    provider = get_backend(channel).name
    count = parts = 0
    text = campaign.sms_text or ""
    fixed, wrap = None, wrapper()
    if not SmsValues([], language="", text=text).used:
        fixed = count_segments(wrap(text)).parts  # the same text for everyone
    for chunk in recipients(campaign, channel):
        count += len(chunk)
        if fixed is not None:
            parts += fixed * len(chunk)
            continue
        users = _users(r.user_id for r in chunk)
        by_language: dict[str, list] = {}
        for r in chunk:
            by_language.setdefault(r.language, []).append(users[r.user_id])
        for language, group in by_language.items():
            values = SmsValues(group, language=language, text=text)
            parts += sum(count_segments(wrap(values.merge(user))).parts for user in group)
    price = price_per_part(provider)
    cost = None if price is None else (price * parts).quantize(AGORA, rounding=ROUND_HALF_UP)
    return CostEstimate(count, parts, provider, price, cost)
