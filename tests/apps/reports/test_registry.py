"""Each report lives in the app that owns its data; the registry finds them per installed app."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

from oscar_loyalty.reporting import all_reports
from tests.stores import last_line_in_store

ROOT = Path(__file__).resolve().parents[3]
REPORTS_APP = ROOT / "oscar_loyalty" / "apps" / "reports"
OWNERS = {
    "members": "reports",
    "points": "reports",
    "breakage": "reports",
    "repeat_purchase": "reports",
    "cohorts": "reports",
    "acquisition": "reports",
    "tiers": "membership",
    "tier_movement": "membership",
    "referrals": "referrals",
    "newsletter": "newsletter",
    "actions": "actions",
}


def test_each_report_is_registered_by_the_app_that_owns_its_data():
    found = {report.key: type(report).__module__.split(".")[2] for report in all_reports()}
    expected = {
        key: app for key, app in OWNERS.items() if apps.is_installed(f"oscar_loyalty.apps.{app}")
    }
    assert found == expected


def test_the_reports_are_listed_in_their_declared_order():
    orders = [report.order for report in all_reports()]
    assert orders == sorted(orders)
    assert [report.key for report in all_reports()][:2] == ["members", "points"]


def _imported_apps(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name.split(".")[2] for name in names if name.startswith("oscar_loyalty.apps.")} - {
        "reports"
    }


def test_the_reports_framework_imports_no_app_whose_report_it_shows():
    imported = set().union(*(_imported_apps(path) for path in REPORTS_APP.rglob("*.py")))
    # Membership and points: the member facts and the daily figures are computed from them.
    assert imported <= {"membership", "points"}, imported


def test_a_store_without_the_newsletter_app_has_no_newsletter_report():
    code = (
        "from oscar_loyalty.reporting import all_reports\n"
        "print(sorted(report.key for report in all_reports()))\n"
    )
    keys = eval(last_line_in_store(code, "tests.settings_without_wagtail"))  # noqa: S307
    assert "newsletter" not in keys
    assert set(keys) == set(OWNERS) - {"newsletter"}
