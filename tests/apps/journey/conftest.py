from tests.apps.newsletter.conftest import newsletter  # noqa: F401 (a fixture)
