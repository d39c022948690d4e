"""Production settings: `check --deploy` is clean once the production variables are set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#kq2!vR9mZ@w4pL0sT^bN8cY1hJ6eF3uG5dA%iO-production-like-key",
    "ALLOWED_HOSTS": "relais.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def manage(*args, **extra_env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=os.environ | extra_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_esp_without_a_webhook_secret_fails_check_deploy_loudly():
    brevo = {"EMAIL_BACKEND": "anymail.backends.brevo.EmailBackend", "ANYMAIL_BREVO_API_KEY": "k"}
    # Not even --fail-level: an Error, which `check --deploy` exits non-zero on by default.
    result = manage("check", "--deploy", **PRODUCTION, **brevo)
    assert result.returncode != 0
    assert "relais.E001" in result.stderr and "ANYMAIL_WEBHOOK_SECRET" in result.stderr
    secret = {"ANYMAIL_WEBHOOK_SECRET": "relais:long-random-secret"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, **brevo, **secret)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_misspelt_boolean_stops_start_up():
    result = manage("check", DEBUG="yes")
    assert result.returncode != 0
    assert "DEBUG='yes'" in result.stderr
