"""The core's tests place real orders with the points tests' helpers."""

from tests.apps.points.conftest import member, points_settings  # noqa: F401 (fixtures)
