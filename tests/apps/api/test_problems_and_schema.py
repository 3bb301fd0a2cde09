"""Problem details for every error, in the shopper's language; the schema is valid OpenAPI 3.1."""

import pytest
from django.test import override_settings
from django.utils import translation
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename  # noqa: F401  (API presence)
from rest_framework.test import APIClient

from oscar_loyalty.apps.api.problems import DOMAIN_STATUS, domain_status
from oscar_loyalty.apps.api.schema import generate_schema
from oscar_loyalty.exceptions import (
    InsufficientPoints,
    InvalidPointsAmount,
    LoyaltyError,
    NotAMember,
    RateLimited,
    RedemptionNotAllowed,
)

from .conftest import assert_problem, url

pytestmark = pytest.mark.django_db


def test_domain_errors_map_to_the_right_4xx():
    assert domain_status(InsufficientPoints()) == 409
    assert domain_status(RedemptionNotAllowed()) == 409
    assert domain_status(InvalidPointsAmount()) == 400
    assert domain_status(NotAMember()) == 404
    assert domain_status(RateLimited()) == 429
    assert domain_status(LoyaltyError()) == 400
    assert all(400 <= status < 500 for status in DOMAIN_STATUS.values())


def test_an_unknown_method_is_a_405_problem(member, token_client):
    assert_problem(token_client.put(url("points")), 405, "method-not-allowed")


def test_a_body_that_is_not_json_is_a_problem(member, token_client):
    response = token_client.post(
        url("basket-points"), "points=5", content_type="application/x-www-form-urlencoded"
    )
    assert_problem(response, 415, "unsupported-media-type")


def test_problems_are_in_the_callers_language(member):
    client = APIClient()
    with translation.override("he"):
        response = client.get(url("points"), HTTP_ACCEPT_LANGUAGE="he")
    body = assert_problem(response, 401)
    assert body["title"] != "Not signed in"  # the Hebrew title
    assert any("\u0590" <= ch <= "\u05ff" for ch in body["title"] + body["detail"])


def test_the_schema_is_valid_openapi_3_1_and_lists_every_endpoint():
    schema = generate_schema()
    validate(schema)  # raises on an invalid document
    assert schema["openapi"] == "3.1.0"
    paths = set(schema["paths"])
    assert {
        "/api/club/me/membership/",
        "/api/club/me/card/",
        "/api/club/me/card/qr.svg",
        "/api/club/me/card/qr.png",
        "/api/club/me/points/",
        "/api/club/me/points/history/",
        "/api/club/me/tier/",
        "/api/club/me/basket/points/",
        "/api/club/token/",
        "/api/club/plans/",
        "/api/club/join/",
        "/api/club/me/basket/plan/",
    } <= paths
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_every_operation_documents_its_responses_and_request_body():
    schema = generate_schema()
    paths = set(schema["paths"])
    assert {
        "/api/club/me/profile/",
        "/api/club/me/basket/earn/",
        "/api/club/me/gifts/",
        "/api/club/me/referral/",
        "/api/club/me/consent/",
        "/api/club/me/consent/{purpose}/{channel}/",
        "/api/club/me/privacy/export/",
        "/api/club/me/privacy/erasure/",
        "/api/club/staff/members/lookup/",
    } <= paths
    every_operation = [
        operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    for operation in every_operation:
        assert operation["responses"], operation["operationId"]
        if "requestBody" in operation:
            assert operation["requestBody"]["content"], operation["operationId"]


def test_the_schema_url_serves_the_same_schema():
    response = APIClient().get(url("schema"), {"format": "json"})
    assert response.status_code == 200
    served = response.json()
    validate(served)
    assert set(served["paths"]) == set(generate_schema()["paths"])


@override_settings(SPECTACULAR_SETTINGS={"SWAGGER_UI_DIST": "https://cdn.example/swagger"})
def test_the_docs_page_loads_its_scripts_from_the_store_not_a_cdn():
    response = APIClient().get(url("docs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert url("schema") in page


def test_every_member_endpoint_documents_its_problems_as_problem_json():
    schema = generate_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            public = path in ("/api/club/token/", "/api/club/plans/", "/api/club/join/")
            if not public or (path, method) in (
                ("/api/club/token/", "delete"),
                ("/api/club/join/", "post"),
            ):
                assert "401" in responses, (path, method)
            for code, response in responses.items():
                if code.startswith("4"):
                    assert set(response["content"]) == {"application/problem+json"}


def test_a_real_problem_matches_the_schemas_problem_and_a_real_answer_its_schema(
    member, token_client, points_settings
):
    import jsonschema

    schema = generate_schema()
    components = schema["components"]["schemas"]

    def check(body, name):
        jsonschema.validate(body, {**components[name], "components": schema["components"]})

    from tests.apps.points.conftest import make_basket

    make_basket(member.user)
    refused = token_client.post(url("basket-points"), {"points": 5000}, format="json")
    check(assert_problem(refused, 409), "Problem")
    check(token_client.get(url("points")).json(), "Points")
    check(token_client.get(url("membership")).json(), "Membership")


def test_a_refusal_of_the_points_service_reads_in_hebrew_for_a_hebrew_app(
    member, token_client, points_settings
):
    from tests.apps.points.conftest import credit, make_basket

    credit(member, 100)
    make_basket(member.user)
    refused = token_client.post(
        url("basket-points"), {"points": 500}, format="json", HTTP_ACCEPT_LANGUAGE="he"
    )
    body = assert_problem(refused, 409, "insufficient-points")
    assert body["title"] == "התנגשות"
    assert "100" in body["detail"]
    assert any("\u0590" <= ch <= "\u05ff" for ch in body["detail"])
