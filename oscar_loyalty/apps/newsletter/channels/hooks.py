"""What every provider's webhook view needs before it reads a field.

* ``provider_options(backend_class)``: the options of the configured backend
  (its secrets), whichever channel it is configured for;
* ``read_params(request)``: the fields of a GET query, a form POST or a
  JSON POST as one ``{name: str}``; a body over ``MAX_BODY`` or unreadable
  raises ``BadWebhook`` (400), before anything is parsed;
* ``require(params, *names)``: the fields a report cannot do without (400);
* ``token_matches(given, expected)``: the secret in a webhook's URL, for the
  providers that sign nothing (019, InforU), compared in constant time.
"""

from __future__ import annotations

import hmac
import json

from django.http import HttpRequest

from . import backend_settings

#: No provider's report or reply comes near this; a larger body is refused unread.
MAX_BODY = 64 * 1024


class BadWebhook(ValueError):
    """The request is not a report or a reply this view can read (answered 400)."""


def provider_options(backend_class: str) -> dict:
    for config in backend_settings().values():
        if isinstance(config, dict) and config.get("BACKEND", "").endswith(backend_class):
            return config.get("OPTIONS", {})
    return {}


def read_params(request: HttpRequest) -> dict[str, str]:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise BadWebhook("bad Content-Length") from exc
    if declared > MAX_BODY or len(request.body) > MAX_BODY:
        raise BadWebhook("body too large")
    if request.method == "GET":
        return {key: str(value) for key, value in request.GET.items()}
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadWebhook("not JSON") from exc
        if not isinstance(data, dict):
            raise BadWebhook("not a JSON object")
        return {str(key): "" if value is None else str(value) for key, value in data.items()}
    return {key: str(value) for key, value in request.POST.items()}


def require(params: dict[str, str], *names: str) -> None:
    missing = [name for name in names if not params.get(name, "").strip()]
    if missing:
        raise BadWebhook(f"missing {', '.join(missing)}")


def token_matches(given: str, expected: str) -> bool:
    """The URL's secret; an unset secret matches nothing (the webhook is off)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode(), str(expected).encode())


def parse_xml(data: str | bytes):
    """XML from a provider (an answer or a webhook's field), refusing any DTD.

    Without a DTD no entity can be declared, so nothing expands (the
    "billion laughs") and nothing external is fetched; the standard library's
    expat parses the rest. Raises ``BadWebhook`` (a ``ValueError``).
    """
    from xml.etree import ElementTree

    head = data if isinstance(data, str) else data.decode("utf-8", "replace")
    if "<!DOCTYPE" in head.upper() or "<!ENTITY" in head.upper():
        raise BadWebhook("DTD in XML")
    try:
        return ElementTree.fromstring(data)  # noqa: S314 - no DTD, checked above
    except ElementTree.ParseError as exc:
        raise BadWebhook("not XML") from exc
