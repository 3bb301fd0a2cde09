"""The client's IP address: read in one place, which a store behind a proxy overrides.

Rate limits, consent evidence and the referral fraud signals all ask
``client_ip(request)``. By default it is ``REMOTE_ADDR``, the address that
opened the connection: the only one a client cannot forge. Behind a reverse
proxy or a load balancer that is the proxy's address, so every shopper would
share one rate-limit bucket and one fingerprint; such a store names a
function of its own in ``OSCAR_LOYALTY_CLIENT_IP``::

    OSCAR_LOYALTY_CLIENT_IP = "oscar_loyalty.clientip.last_forwarded_for"

``last_forwarded_for`` trusts exactly one proxy: it takes the last address
in ``X-Forwarded-For``, the one the store's own proxy appended. Addresses
before it were written by the client and are never used. With two proxies in
a chain (a CDN in front of a load balancer), write a function that takes the
address the outer proxy appended, or let the proxy set ``REMOTE_ADDR``.

Whatever the function returns is checked: only a valid IPv4 or IPv6 address is
used (normalised by ``ipaddress``); anything else is "".
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.utils.module_loading import import_string

from oscar_loyalty import app_settings

DEFAULT = "oscar_loyalty.clientip.remote_addr"


def remote_addr(request) -> str:
    """``REMOTE_ADDR``: the peer of the connection (the default)."""
    return request.META.get("REMOTE_ADDR", "")


def last_forwarded_for(request) -> str:
    """The last ``X-Forwarded-For`` address (the one trusted proxy's), else ``REMOTE_ADDR``."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    last = forwarded.rsplit(",", 1)[-1].strip()
    return last or remote_addr(request)


@lru_cache(maxsize=8)
def _resolve(path: str):
    return import_string(path)


def client_ip(request) -> str:
    """The client's IP address as ``OSCAR_LOYALTY_CLIENT_IP`` finds it; "" if none or invalid."""
    if request is None:
        return ""
    raw = _resolve(app_settings.CLIENT_IP)(request)
    try:
        return str(ipaddress.ip_address(str(raw or "").strip()))
    except ValueError:
        return ""
