"""Schemathesis over every operation of /api/club/schema/, as a signed-in member with a token.

The schema is read from the running application (the schema view, through
WSGI), and each operation gets a bounded number of generated requests with a
fixed seed (``derandomize``): the same requests on every run, well under two
minutes. A run fails on any 5xx and on any answer the schema does not allow
(status code, content type, body, headers).
"""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token

from tests.apps.points.conftest import credit, make_basket

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extra")

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 10


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, inside the test's transaction.

    A real handler closes the database connection when a request ends
    (``close_old_connections``), which would end the test's transaction; the
    test client does the same as this fixture.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def mounted_paths() -> set[str]:
    """The API's routes, parameters as ``{}``, less the schema and docs pages."""
    from django.urls import get_resolver, reverse

    prefix = reverse("loyalty_api:schema").removesuffix("schema/")
    resolver = next(
        r for r in get_resolver().url_patterns if getattr(r, "namespace", None) == "loyalty_api"
    )
    paths = set()
    for pattern in resolver.url_patterns:
        route = re.sub(r"<(?:\w+:)?\w+>", "{}", str(pattern.pattern))
        if pattern.name not in ("schema", "docs"):
            paths.add(prefix + route)
    return paths


def checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]


def test_every_operation_answers_without_5xx_and_as_its_schema_says(
    member, points_settings, free_plan, vip_plan, wsgi_app
):
    credit(member, 5000)
    make_basket(member.user, prices=[D("100.00")])
    key = Token.objects.create(user=member.user).key
    schema = schemathesis.openapi.from_wsgi("/api/club/schema/?format=json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert {"GET /api/club/me/points/", "POST /api/club/join/", "DELETE /api/club/token/"} <= (
        labels
    )
    # Every route the API mounts in this store is in the schema, so is run here
    # (parameters compared by place, not name: the schema may call ``pk`` ``id``).
    in_schema = {re.sub(r"\{\w+\}", "{}", label.split(" ", 1)[1]) for label in labels}
    assert in_schema == mounted_paths()
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,  # a fixed seed: the same examples on every run
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case):
            # ``DELETE token/`` signs the member out: the next request has the token again.
            Token.objects.get_or_create(user=member.user, defaults={"key": key})
            case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=checks())

        call()
