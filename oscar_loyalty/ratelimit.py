"""Fixed-window rate limits kept in Django's cache: the one limiter of the club.

Every endpoint that takes guessable input or needs no login goes through it:
voucher and referral code entry, points application, unsubscribe links and
the partner API. A limit is ``(attempts, seconds)``; the window starts at the
first attempt. The counters live in the ``default`` cache, so a store with
several application servers needs a shared cache (Redis or Memcached), as
Django's own docs say of any cache-based counter.

A client is its IP address as ``oscar_loyalty.clientip.client_ip`` finds it
(``OSCAR_LOYALTY_CLIENT_IP`` behind a proxy), kept in the cache only as a
keyed hash (``client_key``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

from oscar_loyalty.clientip import client_ip
from oscar_loyalty.exceptions import RateLimited
from oscar_loyalty.hashing import keyed_hash

PREFIX = "loyalty_ratelimit"


def client_key(request) -> str:
    """The client's IP address as a keyed digest, so the cache holds no addresses."""
    return keyed_hash("ratelimit.client", client_ip(request))[:32]


def value_key(value: str) -> str:
    """Any other guessable value (an unsubscribe link) as a keyed digest for a counter."""
    return keyed_hash("ratelimit.value", value)[:32]


def _cache_key(scope: str, key: str) -> str:
    return f"{PREFIX}:{scope}:{key}"


def attempts(scope: str, key: str) -> int:
    """Attempts counted in the current window."""
    return cache.get(_cache_key(scope, key)) or 0


def is_limited(scope: str, key: str, *, limit: tuple[int, int]) -> bool:
    """Whether ``key`` has used up its attempts in ``scope`` (nothing is counted)."""
    return attempts(scope, key) >= limit[0]


def any_limited(scope: str, keys: Iterable[str], *, limit: tuple[int, int]) -> bool:
    """Whether any of ``keys`` (the client's address, its user, its session) is limited."""
    return any(is_limited(scope, key, limit=limit) for key in keys)


def count_each(scope: str, keys: Iterable[str], *, limit: tuple[int, int]) -> None:
    """Count one failed attempt against each of ``keys``."""
    for key in keys:
        count(scope, key, limit=limit)


def count(scope: str, key: str, *, limit: tuple[int, int]) -> int:
    """Count one attempt and return the new total (the window starts at the first)."""
    _attempts, seconds = limit
    cache_key = _cache_key(scope, key)
    cache.add(cache_key, 0, seconds)
    try:
        return cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, seconds)
        return 1


def hit(scope: str, key: str, *, limit: tuple[int, int]) -> None:
    """Count one attempt; raise ``RateLimited`` once it goes over ``limit``.

    For endpoints where every request counts (the partner API, unsubscribe).
    Endpoints where only failures should count (code entry) call
    ``is_limited`` before and ``count`` after a failure instead.
    """
    if count(scope, key, limit=limit) > limit[0]:
        raise RateLimited(retry_after=limit[1])


def reset(scope: str, key: str) -> None:
    cache.delete(_cache_key(scope, key))
