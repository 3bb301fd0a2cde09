"""``manage.py check --deploy`` passes for the sandbox's production settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_deploy_check(**env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "ANYMAIL_WEBHOOK_SECRET"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="sandbox.settings_production", **env)
    return subprocess.run(
        [sys.executable, "sandbox/manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_production_settings_pass_the_deployment_checks():
    result = run_deploy_check(
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="shop.example.com",
        ANYMAIL_WEBHOOK_SECRET="hooks:" + secrets.token_urlsafe(24),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_production_settings_refuse_to_start_without_a_strong_secret_key():
    result = run_deploy_check(
        SECRET_KEY="short", ALLOWED_HOSTS="shop.example.com", ANYMAIL_WEBHOOK_SECRET="a:b"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 random characters" in result.stderr
    result = run_deploy_check(ANYMAIL_WEBHOOK_SECRET="a:b", SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode != 0 and "Set the ALLOWED_HOSTS environment variable" in (
        result.stderr
    )
