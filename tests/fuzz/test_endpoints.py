"""Fuzz every public endpoint: any text, any length, any header; never a 5xx, nothing changed.

One test per endpoint (read from the URLconf, see ``endpoints``) and role:
guest for all; a signed-in member for shopper pages; staff for the dashboard
and the newsletter admin; a partner signing each fuzzed request for the
partner API; the right basic-auth secret for the Anymail tracking webhooks.
Path parameters, query string, form or JSON body and headers are drawn by
Hypothesis (``strategies``), with the page's own field names and the world's
real values (card numbers, keys, pks) mixed in so that forms get past
"required". Row counts of every club table (and Oscar's orders, users) are
compared before and after each request.

How many examples, reproducibility and deep runs: docs/development.md, "Fuzzing".
"""

from __future__ import annotations

import base64
import re

import pytest
from anymail.exceptions import AnymailAPIError, AnymailConfigurationError
from django.apps import apps
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.apps.partners.conftest import signed_headers
from tests.fuzz import strategies as fs
from tests.fuzz import webhooks
from tests.fuzz.conftest import fuzz_settings
from tests.fuzz.endpoints import (
    CMS,
    DASHBOARD,
    PARTNER_API,
    SHOPPER,
    WEBHOOK,
    parameters_read,
    public_endpoints,
)
from tests.rows import count_rows

pytestmark = pytest.mark.django_db

ROLES = {
    SHOPPER: ("guest", "member"),
    PARTNER_API: ("guest", "partner"),
    DASHBOARD: ("guest", "staff"),
    CMS: ("guest", "staff"),
    # "esp": the right basic-auth secret and a provider-shaped event (``webhooks``);
    # only for the providers with a shape there.
    WEBHOOK: ("guest", "esp"),
}
# Examples per test in the ``ci`` profile, tuned for ~2-3 minutes on SQLite on
# a slow two-core machine; a guest on a staff page only ever gets the login redirect.
EXAMPLES = {
    (DASHBOARD, "guest"): 3,
    (CMS, "guest"): 3,
    (CMS, "staff"): 8,
    (WEBHOOK, "guest"): 6,
}
DEFAULT_EXAMPLES = 20
METHODS = st.sampled_from(["GET", "POST", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"])
HEADERS = [
    "User-Agent",
    "Referer",
    "Accept-Language",
    "Accept",
    "Authorization",
    "Cookie",
    "X-Forwarded-For",
    "X-Requested-With",
    "List-Unsubscribe-Post",
    "X-Loyalty-Key",
    "X-Loyalty-Timestamp",
    "X-Loyalty-Nonce",
    "X-Loyalty-Signature",
]
CONTENT_TYPES = ["application/json", "text/plain", "", "multipart/form-data"]
PARTNER_FIELDS = ["card", "qr", "amount", "points", "reference", "idempotency_key"]
# Endpoints where a valid input may legitimately add rows (a staff form that
# creates what it is for, a partner's signed earn). For these only "no 5xx"
# holds for every input; a refused request (4xx) must still change nothing.
MAY_CHANGE = {
    # Creating rows is the job of these staff forms; fuzzed values drawn from the
    # world's real ones (names, numbers) can be valid.
    "loyalty_dashboard:loyalty-plan-create",
    "loyalty_dashboard:loyalty-tier-create",
    "loyalty_dashboard:loyalty-partners-create",
    "loyalty_dashboard:loyalty-points-promotion-create",
    "loyalty_dashboard:loyalty-offers-create",
    "loyalty_dashboard:loyalty-offers-draw-create",
    "loyalty_dashboard:loyalty-segment-create",
    "loyalty_dashboard:loyalty-rewards-create",
    "loyalty_dashboard:loyalty-webhooks-create",
    "loyalty_dashboard:loyalty-points-adjust",
    "loyalty_dashboard:loyalty-instore",
    "loyalty_campaigns:add",
    "loyalty_campaigns:copy",
    # Buttons: a POST is the whole instruction, whatever its body (running a draw
    # makes its winners once; deleting removes the row).
    "loyalty_dashboard:loyalty-offers-draw-run",
    "loyalty_dashboard:loyalty-segment-delete",
    # Rotate a secret, pause, resume, resend: the POST is the instruction.
    "loyalty_dashboard:loyalty-webhooks-rotate",
    "loyalty_dashboard:loyalty-webhooks-pause",
    "loyalty_dashboard:loyalty-webhooks-resume",
    "loyalty_dashboard:loyalty-webhooks-resend",
    "loyalty_campaigns:delete",
    # A signed, well-formed earn/burn/reverse made of the world's real card
    # number and a fresh key is a real transaction.
    "loyalty:partners_api:earn",
    "loyalty:partners_api:burn",
    "loyalty:partners_api:reverse",
    # Redeeming a reward: any fresh request key with a reward the member can
    # afford is a real redemption (a replayed key changes nothing).
    "loyalty:rewards-redeem",
    "loyalty_api:rewards-redeem",
    # A form of checkboxes: any POST states the member's choices, and a box left
    # out is a withdrawal, recorded (ConsentRecord) as the law asks.
    "loyalty:preferences",
}
NOT_COUNTED = {
    # Every authenticated partner request uses up its nonce (the replay guard):
    # a row per request by design, whatever the body says.
    "loyalty_partners.PartnerNonce",
    # The first page a signed-in member views (with a browser's User-Agent) records
    # where they came from, once per member (journey.middleware), whatever the page.
    "loyalty_journey.FirstTouch",
}
# 5xx raised by a third party's view before our code runs, not fixable here.
THIRD_PARTY_ERRORS = {
    # Anymail's SES view parses the body before checking basic auth: a non-JSON
    # body with any Authorization header is an AnymailAPIError (500). Stores that
    # do not use SES need not mount its URL (docs/development.md, "Fuzzing").
    "anymail:amazon_ses_tracking_webhook": AnymailAPIError,
}
FIELD_RE = re.compile(r"""<(?:input|select|textarea)[^>]*\bname=["']([^"']+)["']""")


def club_models():
    models = [m for m in apps.get_models() if m.__module__.startswith("oscar_loyalty.")]
    models += [apps.get_model("order", "Order"), apps.get_model("auth", "User")]
    return [m for m in models if m._meta.label not in NOT_COUNTED]


def snapshot(models) -> dict[str, int]:
    """Each model's row count (its whole table), in one query: two per example, so one
    round trip each rather than one per table (65 tables; on PostgreSQL the per-table
    counts were most of the module's time)."""
    counts = count_rows([m._meta.db_table for m in models])
    return {m._meta.label: count for m, count in zip(models, counts, strict=True)}


def cases():
    for endpoint in public_endpoints():
        for role in ROLES[endpoint.area]:
            if role == "esp" and endpoint.name not in webhooks.SHAPES:
                continue
            yield pytest.param(endpoint, role, id=f"{endpoint.name}[{role}]")


def login(client, role, world):
    if role == "member":
        client.force_login(world.member.user)
    elif role == "staff":
        client.force_login(world.staff)


def field_names(endpoint, role, world) -> list[str]:
    """The names of the page's form fields, read from the page itself."""
    read = parameters_read(endpoint)
    if endpoint.area == PARTNER_API:
        return sorted(set(PARTNER_FIELDS) | set(read))
    client = Client()
    login(client, role, world)
    if endpoint.area == WEBHOOK:
        try:
            client.post(endpoint.path({}))
        except AnymailConfigurationError as error:
            pytest.skip(f"the settings do not configure this ESP: {error}")
        return []
    # An edit page shows its form only for an object that exists: try the world's pks.
    for pk in world.pks if endpoint.params else [None]:
        values = {name: pk if kind == "int" else "x" for name, kind in endpoint.params}
        response = client.get(endpoint.path(values))
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            page = response.content.decode(errors="replace")
            return sorted(set(FIELD_RE.findall(page)) | set(read))
    return read


def path_values(endpoint, world):
    """A strategy for the path parameters: real pks and tokens, damaged ones, any text."""
    parts = {}
    for name, converter in endpoint.params:
        if converter == "int":
            parts[name] = st.one_of(
                st.sampled_from(world.pks),
                st.integers(min_value=0, max_value=10**30).map(str),
            )
        elif name == "token":
            parts[name] = st.one_of(st.sampled_from(world.tokens), fs.path_texts())
        else:
            # str, slug, uuid: the converter refuses what does not match (a 404).
            parts[name] = fs.path_texts(*world.seeds)
    return st.fixed_dictionaries(parts)


@st.composite
def requests(draw, endpoint, role, world, names):
    method = draw(METHODS)
    path = endpoint.path(draw(path_values(endpoint, world)))
    query = fs.urlencode(draw(fs.pairs(names, world.seeds, in_request_line=True)))
    headers = dict(
        draw(st.lists(st.tuples(st.sampled_from(HEADERS), fs.header_values), max_size=4))
    )
    shaped = role == "esp"
    if shaped:
        body = fs.json_body(draw(webhooks.SHAPES[endpoint.name](world.seeds)))
        content_type = "application/json"
        method = "POST"
    elif endpoint.area == PARTNER_API and draw(st.booleans()):
        cards = [world.member.number, world.member.formatted_number, world.other_member.number]
        body = fs.json_body(draw(fs.partner_bodies(cards)))
        content_type = "application/json"
        if role == "partner" and "key/" not in endpoint.route:
            method = "POST"  # a complete request, so that it reaches the services
    elif endpoint.area in (PARTNER_API, WEBHOOK) and draw(st.booleans()):
        body = fs.json_body(draw(fs.json_objects(names, world.seeds)))
        content_type = "application/json"
    elif draw(st.integers(0, 4)) == 0:
        body = draw(fs.raw_bodies)
        content_type = draw(st.sampled_from(CONTENT_TYPES))
    else:
        body = fs.urlencode(draw(fs.pairs(names, world.seeds))).encode()
        content_type = "application/x-www-form-urlencoded"
    if role == "partner":
        # Signed right over whatever was drawn, so the body reaches the services.
        headers.update(signed_headers(world.partner, method, path, body, query=query))
    elif role == "esp":
        headers["Authorization"] = "Basic " + base64.b64encode(b"hook:s3cret").decode()
    # A well-formed provider event about a real address may change consent and
    # suppressions: that is what webhooks are for; only "no 5xx" holds for it.
    return shaped, (method, path, query, body, content_type, headers)


def send(client, method, path, query, body, content_type, headers):
    return client.generic(
        method,
        f"{path}?{query}" if query else path,
        data=body,
        content_type=content_type,
        headers=headers,
        REMOTE_ADDR="127.0.0.1",
    )


@pytest.mark.parametrize("endpoint,role", list(cases()))
def test_no_input_gives_a_5xx_or_changes_anything(endpoint, role, world):
    names = field_names(endpoint, role, world)
    models = club_models()
    examples = EXAMPLES.get((endpoint.area, role), DEFAULT_EXAMPLES)

    @fuzz_settings(examples)
    @given(request=requests(endpoint, role, world, names))
    def fuzz(request):
        may_change, sent = request
        client = Client(raise_request_exception=True)
        login(client, role, world)
        before = snapshot(models)
        known = THIRD_PARTY_ERRORS.get(endpoint.name, ())
        try:
            response = send(client, *sent)
        except known:
            assert snapshot(models) == before
            return
        assert response.status_code < 500, (response.status_code, response.content[:500])
        if may_change or (endpoint.name in MAY_CHANGE and response.status_code < 400):
            return
        assert snapshot(models) == before

    fuzz()


def test_every_area_of_the_add_on_is_fuzzed():
    # A guard on the URLconf walk itself: if a rename hid an area, this says so.
    areas = {e.area for e in public_endpoints()}
    assert areas == {SHOPPER, PARTNER_API, DASHBOARD, CMS, WEBHOOK}
    names = {e.name for e in public_endpoints()}
    assert {"loyalty:unsubscribe", "loyalty:consent-confirm", "loyalty:partners_api:earn"} <= names
    assert "anymail:mailgun_tracking_webhook" in names
    assert "loyalty_dashboard:loyalty-instore" in names


def test_the_snapshot_sees_a_row_added_or_removed_in_a_counted_table(world):
    # The guard on the fuzz test's own check: were ``snapshot`` blind, every fuzz
    # case would pass whatever the endpoint wrote.
    from oscar_loyalty.apps.points.models import PointsAccount

    models = club_models()
    before = snapshot(models)
    assert before["loyalty_points.PointsAccount"] == PointsAccount.objects.count() > 0
    PointsAccount.objects.filter(member=world.other_member).delete()
    after = snapshot(models)
    assert after["loyalty_points.PointsAccount"] == before["loyalty_points.PointsAccount"] - 1
    assert {k: v for k, v in after.items() if k != "loyalty_points.PointsAccount"} == {
        k: v for k, v in before.items() if k != "loyalty_points.PointsAccount"
    }
