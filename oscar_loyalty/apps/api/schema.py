"""The OpenAPI 3.1 schema of the member API and its docs page.

drf-spectacular's settings are global; the API passes its own
(``SCHEMA_SETTINGS``) to its views instead, so a store mounting the API
changes nothing in ``SPECTACULAR_SETTINGS`` and its other DRF APIs (e.g.
django-oscar-api) keep theirs. The schema describes only this API's views
(``only_club_api``: the ``ClubAPIView`` subclasses), whatever else the store's URLconf holds.
"""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView, _get_sidecar_url

SCHEMA_SETTINGS = {
    "OAS_VERSION": "3.1.0",
    "TITLE": "Customer club API",
    "DESCRIPTION": "The signed-in member's club: membership, card, points, tier and the "
    "points on the current basket. Errors are RFC 9457 problem details.",
    "VERSION": "1",
    "PREPROCESSING_HOOKS": ["oscar_loyalty.apps.api.schema.only_club_api"],
    "COMPONENT_SPLIT_REQUEST": True,
}


def only_club_api(endpoints, **kwargs):
    """drf-spectacular's preprocessing hook: this API's endpoints, not the store's others."""
    from .views import ClubAPIView

    return [
        endpoint
        for endpoint in endpoints
        if isinstance(getattr(endpoint[3], "cls", None), type)
        and issubclass(endpoint[3].cls, ClubAPIView)
    ]


def generate_schema(request=None) -> dict:
    """The schema as the schema view serves it (tests validate this)."""
    with patched_settings(SCHEMA_SETTINGS):
        return SchemaGenerator().get_schema(request=request, public=True)


class SchemaView(SpectacularAPIView):
    custom_settings = SCHEMA_SETTINGS
    # Not an endpoint of the API: left out of every schema generation, including
    # drf-spectacular's deploy check, which uses the global (DRF's) schema class.
    schema = None


class DocsView(SpectacularSwaggerView):
    """Swagger UI from the sidecar's static files: no CDN, whatever the global settings."""

    url_name = "loyalty_api:schema"
    title = SCHEMA_SETTINGS["TITLE"]
    schema = None  # as SchemaView's
    # A page to read, nothing else: DRF's OPTIONS answer would be rendered with the
    # page's HTML renderer, which has no template for it (a 500, found by the fuzzer).
    http_method_names = ["get", "head"]

    @staticmethod
    def _swagger_ui_resource(filename):
        return _get_sidecar_url(f"swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return _get_sidecar_url("swagger-ui-dist/favicon-32x32.png")
