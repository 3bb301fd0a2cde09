"""Capture where each visitor first came from, without a database write per visit.

Add it after the authentication middleware::

    MIDDLEWARE = [
        ...,
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        ...,
        "oscar_loyalty.apps.journey.middleware.FirstTouchMiddleware",
    ]

On a visitor's first page view the touch (UTM parameters, referring site,
landing page) goes into a signed cookie; nothing is written to the database
and no session is created. When a signed-in user with a pending touch turns
out to be a member (they just joined through the join page, the registration
form or a paid plan at checkout), the touch becomes a ``FirstTouch`` row
linked to the member, and the cookie is marked done so later requests cost
nothing. Bots, non-GET requests and static, media and staff paths are ignored.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core import signing

from . import services

COOKIE_NAME = "loyalty_touch"
COOKIE_SALT = "oscar_loyalty.journey"
COOKIE_MAX_AGE = 365 * 86400
DONE = "done"

BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|preview|monitor|headless|"
    r"curl|wget|python-requests|httpx|go-http-client|java/|libwww|scrapy",
    re.IGNORECASE,
)
IGNORED_PREFIXES = ("/dashboard/", "/django-admin/", "/admin/", "/cms/", "/api/", "/anymail/")
IGNORED_NAMES = ("/favicon.ico", "/robots.txt")


def is_bot(request) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return not agent or bool(BOT_PATTERN.search(agent))


def is_ignored_path(path: str) -> bool:
    static = [p for p in (settings.STATIC_URL, getattr(settings, "MEDIA_URL", "")) if p]
    prefixes = IGNORED_PREFIXES + tuple("/" + p.lstrip("/") for p in static)
    return path.startswith(prefixes) or path in IGNORED_NAMES


def read_touch(request) -> dict | str | None:
    """The visitor's touch from the cookie, ``DONE`` once linked, ``None`` if absent or forged."""
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, dict) or value == DONE else None


def _set_cookie(response, value) -> None:
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps(value, salt=COOKIE_SALT, compress=True),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
    )


class FirstTouchMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        touch = read_touch(request)
        new = False
        if (
            touch is None
            and request.method == "GET"
            and not is_ignored_path(request.path)
            and not is_bot(request)
        ):
            touch, new = services.touch_from_request(request), True
        request.loyalty_first_touch = touch if isinstance(touch, dict) else None
        response = self.get_response(request)
        if isinstance(touch, dict):
            linked = self._link_if_member(request, touch)
            if linked:
                _set_cookie(response, DONE)
            elif new:
                _set_cookie(response, touch)
        return response

    def _link_if_member(self, request, touch: dict) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        from oscar_loyalty.apps.membership.models import Member

        member = Member.objects.filter(user=user).first()
        if member is None:
            return False
        services.link_first_touch(member, touch, referral_code=_referral_code(request))
        return True


# Where a first touch's referral code comes from: the referrals app adds its
# reader when it is ready (``referrals/apps.py``); this app imports none.
REFERRAL_CODE_READERS: list = []


def _referral_code(request) -> str:
    for read in REFERRAL_CODE_READERS:
        code = read(request)
        if code:
            return code
    return ""
