"""Every public endpoint of the add-on, read from the URLconf, and how to call one.

Walking the resolver (rather than listing URLs by hand) means a new view is
fuzzed by ``test_endpoints`` as soon as it is mounted.
"""

from __future__ import annotations

import inspect
import re
import sys
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

SHOPPER, PARTNER_API, DASHBOARD, CMS, WEBHOOK = (
    "shopper",
    "partner_api",
    "dashboard",
    "cms",
    "webhook",
)
CONVERTER_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Endpoint:
    name: str  # "namespace:name"
    route: str  # the full route, converters included: "club/r/<str:code>/"
    area: str
    module: str = ""  # the view's module, whose source names the parameters it reads

    @property
    def params(self) -> list[tuple[str, str]]:
        """``(name, converter)`` of each path parameter."""
        return [(m["name"], m["converter"] or "str") for m in CONVERTER_RE.finditer(self.route)]

    def path(self, values: dict[str, str]) -> str:
        """The URL path with ``values`` percent-encoded into it (any text, surrogates too)."""

        def fill(match):
            raw = values[match["name"]]
            return quote(raw.encode("utf-8", "surrogatepass"), safe="")

        return "/" + CONVERTER_RE.sub(fill, self.route)

    def __str__(self) -> str:
        return self.name


def _area(namespaces: tuple[str, ...], name: str, module: str) -> str | None:
    if namespaces[:2] == ("loyalty", "partners_api"):
        return PARTNER_API
    if namespaces[:1] == ("loyalty",):
        return SHOPPER
    if namespaces[:1] == ("loyalty_dashboard",):
        return DASHBOARD
    if namespaces[:1] == ("anymail",) and name.endswith("tracking_webhook"):
        return WEBHOOK
    if namespaces[:1] == ("loyalty_campaigns",):
        # The newsletter's Wagtail viewset (our model in Wagtail's generic views).
        return CMS
    if module.startswith("oscar_loyalty."):
        # Our views mounted inside someone else's namespace (e.g. basket:vouchers-add).
        return SHOPPER
    return None


def _walk(patterns, prefix: str, namespaces: tuple[str, ...]):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            space = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), space)
        elif isinstance(pattern, URLPattern) and pattern.name:
            callback = pattern.callback
            module = getattr(getattr(callback, "view_class", callback), "__module__", "")
            area = _area(namespaces, pattern.name, module)
            if area is None:
                continue
            if not isinstance(pattern.pattern, RoutePattern):
                # Regex routes (only Anymail's inbound ones so far) would need their
                # groups filled; fail loudly so a new one is not silently skipped.
                raise AssertionError(f"cannot fuzz regex route {pattern.pattern} ({area})")
            yield Endpoint(
                name=":".join(namespaces + (pattern.name,)),
                route=prefix + str(pattern.pattern),
                area=area,
                module=module,
            )


READ_RE = re.compile(r"""(?:GET|POST|data|params)(?:\.get\(|\[)\s*["']([A-Za-z0-9_-]+)["']""")


def parameters_read(endpoint: Endpoint) -> list[str]:
    """Query and form keys the view's module reads (``request.GET.get("member")``...):
    fields a page does not show are fuzzed too."""
    module = sys.modules.get(endpoint.module)
    if module is None or not endpoint.module.startswith("oscar_loyalty."):
        return []
    return sorted(set(READ_RE.findall(inspect.getsource(module))))


def public_endpoints() -> list[Endpoint]:
    found = {e.name: e for e in _walk(get_resolver().url_patterns, "", ())}
    return sorted(found.values(), key=lambda e: (e.area, e.name))
