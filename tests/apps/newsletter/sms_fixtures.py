"""Recorded provider answers (tests/fixtures/sms/): each file names its source in ``#`` lines."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sms"


def recorded(name: str) -> str:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("#"))
