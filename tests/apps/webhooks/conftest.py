"""A real receiver process per test, killable and restartable on the same port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .receiver import free_port, read_log

ROOT = Path(__file__).resolve().parents[3]


class Receiver:
    def __init__(self, tmp_path: Path, name: str = "crm") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.log = tmp_path / f"{name}.jsonl"
        self.process: subprocess.Popen | None = None
        self.secrets: list[str] = []

    def start(self, *secrets: str, **options) -> Receiver:
        self.secrets = list(secrets) or self.secrets
        command = [sys.executable, "-m", "tests.apps.webhooks.receiver", "--port", str(self.port)]
        command += ["--log", str(self.log)]
        for secret in self.secrets:
            command += ["--secret", secret]
        for key, value in options.items():
            command += [f"--{key.replace('_', '-')}", str(value)]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
        assert self.process.stdout.readline().strip() == b"ready"
        return self

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def rows(self, kind: str | None = None) -> list[dict]:
        return [row for row in read_log(self.log) if kind is None or row["kind"] == kind]

    def unique_ids(self) -> list[str]:
        return [row["id"] for row in self.rows("new")]


@pytest.fixture
def receivers(tmp_path):
    made: list[Receiver] = []

    def make(name: str = "crm") -> Receiver:
        receiver = Receiver(tmp_path, name)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.kill()
