"""The shopper-facing view of the newsletter app: a click on a short link (``links``)."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponseRedirect
from django.views.decorators.http import require_safe

from oscar_loyalty import app_settings, ratelimit

from . import links

#: Link previews fetched by apps and crawlers are not a member's click.
PREVIEWERS = re.compile(
    r"bot|crawl|spider|preview|facebookexternalhit|whatsapp|slack|discord|telegram|skype",
    re.IGNORECASE,
)
SCOPE = "short_link"


@require_safe
def follow_short_link(request: HttpRequest, token: str) -> HttpResponseRedirect:
    """Redirect to the token's product (the catalogue if it is invalid); record a member's click.

    Only to a path the store reverses itself, never to an address from the
    request. Invalid tokens count against the client's address; over the
    limit nothing is looked up.
    """
    client = ratelimit.client_key(request)
    limit = app_settings.SHORT_LINKS_RATE_LIMIT
    if ratelimit.is_limited(SCOPE, client, limit=limit):
        target = links.catalogue_path()
    else:
        agent = request.headers.get("User-Agent", "")
        record = request.method == "GET" and not PREVIEWERS.search(agent)
        target, valid = links.follow(token, record=record)
        if not valid:
            ratelimit.count(SCOPE, client, limit=limit)
    response = HttpResponseRedirect(target)
    # The token names a message: never cached, never sent on as a referrer.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
