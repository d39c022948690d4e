"""System checks of the engine's configuration (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

from notifications.channels.email import esp_name


@checks.register(checks.Tags.security, deploy=True)
def esp_webhook_secret(app_configs, **kwargs):
    """An ESP's tracking webhook without a secret lets anyone forge a bounce (and suppress)."""
    if not esp_name() or settings.ANYMAIL.get("WEBHOOK_SECRET"):
        return []
    return [
        checks.Error(
            f"EMAIL_BACKEND sends through {esp_name()!r}, but its tracking webhook has no secret: "
            "anyone could post a forged bounce and block any address.",
            hint="Set ANYMAIL_WEBHOOK_SECRET=user:password and put it in the webhook URL "
            "given to the ESP (https://user:password@host/anymail/<esp>/tracking/).",
            id="relais.E001",
        )
    ]
