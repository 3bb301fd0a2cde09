"""Run code in a fresh interpreter under other settings: a store with other apps installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def last_line_in_store(code: str, settings: str, *, path: Path | None = None) -> str:
    """``django.setup()`` under ``settings``, run ``code``; the last line it printed.

    ``path``: a folder put first on the import path (for a settings module written
    by the test). Fails the test with the end of stderr if the interpreter fails.
    """
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings}
    if path is not None:
        env["PYTHONPATH"] = f"{path}{os.pathsep}{ROOT}"
    result = subprocess.run(
        [sys.executable, "-c", "import django\ndjango.setup()\n" + code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]
