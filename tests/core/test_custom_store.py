import subprocess
import sys
from pathlib import Path

from django.db.migrations.loader import MigrationLoader

SCENARIO = Path(__file__).resolve().parents[1] / "custom_store" / "scenario.py"

# Oscar's apps, which a store may fork with migrations of its own numbering.
OSCAR_APPS = {
    "address",
    "analytics",
    "basket",
    "catalogue",
    "checkout",
    "communication",
    "customer",
    "offer",
    "order",
    "partner",
    "payment",
    "reviews",
    "shipping",
    "voucher",
    "wishlists",
}


def test_a_store_with_a_custom_user_model_and_a_forked_app_runs_the_membership_journey():
    # The fork numbers its partner migrations unlike Oscar (0008_partneraddress_code).
    result = subprocess.run(
        [sys.executable, str(SCENARIO)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.strip().endswith("custom store OK")


def test_no_migration_of_the_add_on_names_a_migration_of_oscar_by_number():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    by_number = [
        (key, dependency)
        for key, migration in loader.disk_migrations.items()
        if key[0].startswith("loyalty_")
        for dependency in migration.dependencies
        if dependency[0] in OSCAR_APPS and dependency[1] != "__first__"
    ]
    assert by_number == []
    # Every app label above is one of Oscar's (a renamed label would make this test blind).
    assert {key[0] for key in loader.disk_migrations} >= OSCAR_APPS - {"checkout"}
