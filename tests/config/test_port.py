"""One port setting: `make run` serves on it and the links in messages follow (RELAIS_PORT)."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _setting(name, **env):
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    environ = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "RELAIS_PORT")}
    environ |= {"DJANGO_SETTINGS_MODULE": "config.settings", **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    return result.stdout.strip()


def test_links_follow_relais_port_unless_site_url_is_set():
    assert _setting("SITE_URL") == "http://127.0.0.1:8000"
    assert _setting("SITE_URL", RELAIS_PORT="8001") == "http://127.0.0.1:8001"
    assert (
        _setting("SITE_URL", RELAIS_PORT="8001", SITE_URL="https://relais.example.com/")
        == "https://relais.example.com"
    )


def test_seed_demo_prints_the_address_links_use(db, settings, capsys):
    settings.SITE_URL = "http://127.0.0.1:8001"
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8001/admin/" in out
    assert "8000" not in out


def test_procfile_dev_serves_on_relais_port():
    assert "runserver 127.0.0.1:${RELAIS_PORT:-8000}" in (ROOT / "Procfile.dev").read_text()
