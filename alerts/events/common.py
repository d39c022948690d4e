"""Pieces the alert events share: the group, shipped rules in two languages, the master switch."""

from django.utils.translation import gettext_lazy as _

from notifications.events import Condition, DefaultRule, EventGroup

SNOW = EventGroup("snow_alerts", _("Snow alerts"))


def rule(key, name, roles, templates, **options):
    """A shipped rule: `templates` maps channel to {"fr": (subject, text), "en": (…)}."""
    return DefaultRule(
        key=key,
        name=name,
        roles=roles,
        channels=list(templates),
        templates={
            (channel, language): texts
            for channel, by_language in templates.items()
            for language, texts in by_language.items()
        },
        **options,
    )


def _company_on(obj, event):
    return obj.company.alerts_enabled


# A company switched off (season over) sends nothing, even what was planned before.
COMPANY_ON = Condition("company_on", _("The company's alerts are switched on"), _company_on)
