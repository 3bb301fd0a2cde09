"""The client's address comes from one place, ``OSCAR_LOYALTY_CLIENT_IP``; every use reads it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from oscar_loyalty import ratelimit
from oscar_loyalty.apps.consent.services import request_metadata
from oscar_loyalty.apps.referrals import fingerprints
from oscar_loyalty.clientip import client_ip

PROXY = "oscar_loyalty.clientip.last_forwarded_for"


def behind_proxy(forwarded_for: str, remote: str = "10.0.0.1"):
    return RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_by_default_the_address_is_remote_addr_and_x_forwarded_for_is_ignored():
    assert client_ip(behind_proxy("198.51.100.7")) == "10.0.0.1"


def test_behind_one_proxy_the_last_forwarded_address_is_the_clients(settings):
    settings.OSCAR_LOYALTY_CLIENT_IP = PROXY
    # The client wrote "1.2.3.4" itself; the store's proxy appended the real address.
    assert client_ip(behind_proxy("1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


@pytest.mark.parametrize("raw", ["unknown", "", "1.2.3.4\x00", "٣.٣.٣.٣", "999.1.1.1"])
def test_anything_that_is_not_an_ip_address_is_empty(settings, raw):
    settings.OSCAR_LOYALTY_CLIENT_IP = PROXY
    assert client_ip(behind_proxy(raw, remote="")) == ""


def test_a_store_function_is_used_for_every_use_of_the_address(settings):
    settings.OSCAR_LOYALTY_CLIENT_IP = PROXY
    one = behind_proxy("198.51.100.7")
    other = behind_proxy("198.51.100.8")  # the same proxy, another shopper
    assert request_metadata(one)["ip_address"] == "198.51.100.7"
    assert fingerprints.ip_digest(one) != fingerprints.ip_digest(other)
    assert ratelimit.client_key(one) != ratelimit.client_key(other)


def test_behind_a_proxy_without_the_setting_every_shopper_shares_one_limit():
    assert ratelimit.client_key(behind_proxy("198.51.100.7")) == ratelimit.client_key(
        behind_proxy("198.51.100.8")
    )


def test_rate_limited_clients_are_counted_per_address_from_the_setting(settings):
    settings.OSCAR_LOYALTY_CLIENT_IP = PROXY
    cache.clear()
    limit = (1, 60)
    one = [ratelimit.client_key(behind_proxy("198.51.100.7"))]
    ratelimit.count_each("test", one, limit=limit)
    assert ratelimit.any_limited("test", one, limit=limit)
    assert not ratelimit.any_limited(
        "test", [ratelimit.client_key(behind_proxy("198.51.100.8"))], limit=limit
    )
    cache.clear()
