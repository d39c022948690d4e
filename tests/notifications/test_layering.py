"""The engine's layering, seen from outside: provider SDKs load only with their channel."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Start the whole project — settings, apps, URLs, the admin, the engine's modules —
# with Twilio's and Firebase's SDKs impossible to import, then use what needs none.
WITHOUT_PROVIDER_SDKS = textwrap.dedent(
    """
    import sys

    class NoProviderSdks:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in ("twilio", "firebase_admin"):
                raise ImportError(f"{name} must not be imported at start-up")

    sys.meta_path.insert(0, NoProviderSdks())

    import django
    django.setup()
    from django.contrib import admin
    from django.urls import get_resolver

    get_resolver().url_patterns
    admin.site.get_urls()
    import notifications.previews, notifications.sending, notifications.tasks  # noqa
    from notifications.channels import get_backend
    from notifications.channels.sms import segment_info
    from notifications.recipients import Recipient

    assert segment_info("Déneigement demain à 7 h").segments == 1
    someone = Recipient(key="user:1", phone="+33612345678")
    for channel in ("email", "sms", "push", "inapp", "voice"):
        get_backend(channel).addresses([someone])
    print("started without provider SDKs")
    """
)


def test_c2_c3_start_up_and_planning_need_no_provider_sdk():
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_PROVIDER_SDKS],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "started without provider SDKs" in result.stdout
