"""Install the rules and templates every event type ships with (SPEC N-4)."""

from django.conf import settings
from django.db import transaction
from django.utils import translation

from notifications.events import catalog
from notifications.models import MessageTemplate, Rule


@transaction.atomic
@translation.override(settings.LANGUAGE_CODE)  # rule names are data, in the site's language
def install_default_rules():
    """Create the shipped rules that are missing; never touch one a manager has edited."""
    installed = set(Rule.objects.exclude(default_key=None).values_list("default_key", flat=True))
    created = 0
    for event_type in catalog():
        for default in event_type.default_rules:
            if default.key not in installed:
                _install(event_type, default)
                created += 1
    return created


def _install(event_type, default):
    window_start, window_end, window_channels = default.send_window or (None, None, [])
    rule = Rule.objects.create(
        default_key=default.key,
        name=str(default.name),
        event_code=event_type.code,
        roles=list(default.roles),
        channels=list(default.channels),
        anchor=default.anchor,
        offset_minutes=default.offset_minutes,
        offset_unit=default.offset_unit,
        conditions=list(default.conditions),
        priority=event_type.priority,
        fallback_channel=default.fallback_channel,
        send_window_start=window_start,
        send_window_end=window_end,
        send_window_channels=list(window_channels),
        daily_cap=default.daily_cap,
        sender_mode=default.sender_mode or Rule.SenderMode.NO_REPLY,
    )
    MessageTemplate.objects.bulk_create(
        MessageTemplate(rule=rule, channel=channel, language=language, subject=subject, body=body)
        for (channel, language), (subject, body) in default.templates.items()
    )
