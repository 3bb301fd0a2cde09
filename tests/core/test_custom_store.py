import subprocess
import sys
from pathlib import Path

SCENARIO = Path(__file__).resolve().parents[1] / "custom_store" / "scenario.py"


def test_a_store_with_a_custom_user_model_and_a_forked_app_runs_the_membership_journey():
    result = subprocess.run(
        [sys.executable, str(SCENARIO)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.strip().endswith("custom store OK")
