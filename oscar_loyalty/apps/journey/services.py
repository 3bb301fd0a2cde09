"""Every state change of the journey app: first touches and order channels."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import FirstTouch, OrderChannel

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
FIELD_LIMITS = {
    **dict.fromkeys(UTM_FIELDS, 100),
    "referrer_url": 500,
    "referrer_host": 255,
    "landing_page": 500,
    "referral_code": 64,
}

EMAIL_MEDIUMS = {"email", "e-mail", "newsletter", "mail"}
PAID_MEDIUMS = {
    "cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search", "cpm", "cpv",
    "display", "banner", "paid_social", "paid-social", "paidsocial", "ads", "ad", "affiliate",
}  # fmt: skip
SOCIAL_MEDIUMS = {"social", "social-network", "social_network", "sm", "organic_social"}
SEARCH_MEDIUMS = {"organic", "seo", "search"}
SOCIAL_HOSTS = (
    "facebook.", "fb.", "instagram.", "t.co", "twitter.", "x.com", "linkedin.", "lnkd.in",
    "tiktok.", "whatsapp.", "wa.me", "youtube.", "youtu.be", "pinterest.", "reddit.",
    "telegram.", "t.me",
)  # fmt: skip
SEARCH_HOSTS = (
    "google.", "bing.", "duckduckgo.", "yahoo.", "yandex.", "baidu.", "ecosia.", "search.brave.",
)  # fmt: skip
PAID_CLICK_IDS = ("gclid", "fbclid", "msclkid", "ttclid", "dclid")


def _host_matches(host: str, patterns: tuple[str, ...]) -> bool:
    host = host.lower().removeprefix("www.").removeprefix("m.").removeprefix("l.")
    return any(host.startswith(p) or f".{p}" in f".{host}" for p in patterns)


def derive_channel(touch: dict) -> str:
    """The acquisition channel of a touch, first match wins (see docs/journey.md).

    referral code > UTM medium/source > paid click ids > referring site > direct.
    """
    medium = (touch.get("utm_medium") or "").strip().lower()
    source = (touch.get("utm_source") or "").strip().lower()
    host = (touch.get("referrer_host") or "").strip().lower()
    if touch.get("referral_code"):
        return FirstTouch.REFERRAL
    if medium in EMAIL_MEDIUMS or source in EMAIL_MEDIUMS:
        return FirstTouch.EMAIL
    if medium in PAID_MEDIUMS or touch.get("paid_click"):
        return FirstTouch.PAID
    if medium in SOCIAL_MEDIUMS or (source and _host_matches(source, SOCIAL_HOSTS)):
        return FirstTouch.SOCIAL
    if medium in SEARCH_MEDIUMS:
        return FirstTouch.SEARCH
    if host and _host_matches(host, SOCIAL_HOSTS):
        return FirstTouch.SOCIAL
    if host and _host_matches(host, SEARCH_HOSTS):
        return FirstTouch.SEARCH
    if host or source or medium:
        return FirstTouch.OTHER
    return FirstTouch.DIRECT


def touch_from_request(request, *, now: datetime | None = None) -> dict:
    """The first-touch data of a request: UTM parameters, referring site, landing page."""
    now = now or timezone.now()
    params = request.GET
    touch = {"v": uuid.uuid4().hex, "at": now.isoformat()}
    for name in UTM_FIELDS:
        if params.get(name):
            touch[name] = params[name][: FIELD_LIMITS[name]]
    referrer = request.META.get("HTTP_REFERER", "")
    if referrer:
        host = (urlsplit(referrer).hostname or "").lower()
        if host and host != request.get_host().split(":")[0].lower():
            touch["referrer_url"] = referrer[: FIELD_LIMITS["referrer_url"]]
            touch["referrer_host"] = host[: FIELD_LIMITS["referrer_host"]]
    touch["landing_page"] = request.get_full_path()[: FIELD_LIMITS["landing_page"]]
    if params.get("ref"):
        touch["referral_code"] = params["ref"][: FIELD_LIMITS["referral_code"]]
    if any(params.get(name) for name in PAID_CLICK_IDS):
        touch["paid_click"] = True
    return touch


def _row_values(touch: dict, *, referral_code: str = "") -> dict:
    values = {name: str(touch.get(name) or "")[:limit] for name, limit in FIELD_LIMITS.items()}
    if referral_code:
        values["referral_code"] = referral_code[: FIELD_LIMITS["referral_code"]]
    values["channel"] = derive_channel({**touch, **values})
    values["visitor_id"] = str(touch.get("v") or uuid.uuid4().hex)[:32]
    values["created_at"] = parse_datetime(str(touch.get("at") or "")) or timezone.now()
    return values


def record_first_touch(touch: dict, *, member=None, referral_code: str = "") -> FirstTouch:
    """Write a touch as a row (unlinked if ``member`` is None); for stores that log every visit."""
    values = _row_values(touch, referral_code=referral_code)
    return FirstTouch.objects.create(
        member=member, linked_at=timezone.now() if member else None, **values
    )


def link_first_touch(
    member, touch: dict | None, *, referral_code: str = "", now: datetime | None = None
) -> FirstTouch:
    """Give ``member`` its first touch (once: a member who already has one keeps it).

    A row written at first visit for the same visitor id is linked instead of
    duplicated. Without touch data (a member who joined in store) the touch
    records a direct join, or the referral code when there is one.
    """
    now = now or timezone.now()
    existing = FirstTouch.objects.filter(member=member).first()
    if existing is not None:
        return existing
    touch = touch or {"at": now.isoformat()}
    values = _row_values(touch, referral_code=referral_code)
    try:
        with transaction.atomic():
            unlinked = (
                FirstTouch.objects.select_for_update()
                .filter(visitor_id=values["visitor_id"], member__isnull=True)
                .first()
            )
            if unlinked is not None:
                unlinked.member, unlinked.linked_at = member, now
                if referral_code and not unlinked.referral_code:
                    unlinked.referral_code = values["referral_code"]
                    unlinked.channel = FirstTouch.REFERRAL
                unlinked.save()
                return unlinked
            return FirstTouch.objects.create(member=member, linked_at=now, **values)
    except IntegrityError:  # two requests of the same new member raced
        return FirstTouch.objects.get(member=member)


def record_order_channel(order, *, channel: str) -> OrderChannel:
    """Record the channel ``order`` came through; an explicit answer replaces the default.

    Code that places orders outside Oscar's web checkout (the till, an API)
    calls this; it may run before or after the order task's default.
    """
    if channel not in dict(OrderChannel.CHANNEL_CHOICES):
        raise ValueError(f"Unknown order channel {channel!r}.")
    record, _created = OrderChannel.objects.update_or_create(
        order=order, defaults={"channel": channel}
    )
    return record


def record_default_channel(order) -> OrderChannel:
    """The order task's step: an order with no channel recorded came through the web checkout.

    Runs in the background task after ``order_placed`` (``oscar_loyalty.orders``),
    so the checkout request itself writes nothing for the journey. Never
    replaces a channel recorded explicitly.
    """
    record, _created = OrderChannel.objects.get_or_create(
        order=order, defaults={"channel": OrderChannel.WEB}
    )
    return record
