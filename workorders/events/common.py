"""Pieces the three settings share: shipped rules in two languages, grouped variables,
the organisation's managers, links to the back office."""

from django.urls import reverse
from django.utils.text import format_lazy

from accounts.models import BACK_OFFICE_ROLES, User
from notifications.events import DefaultRule, Variable


def rule(key, name, roles, channels, fr, en, sms=None, **options):
    """A shipped rule with its French and English (subject, text) on each channel;
    `sms`: shorter (French, English) texts for the SMS channel."""
    templates = {}
    for channel in channels:
        templates[(channel, "fr")] = fr
        templates[(channel, "en")] = en
        if channel == "sms" and sms:
            templates[(channel, "fr")] = ("", sms[0])
            templates[(channel, "en")] = ("", sms[1])
    return DefaultRule(
        key=key, name=name, roles=roles, channels=channels, templates=templates, **options
    )


def grouped(group, *variables):
    """Variables labelled with their group, as RemOnline lists them: "Client · Name"."""
    return [
        Variable(name, format_lazy("{} · {}", group, label), example)
        for name, label, example in variables
    ]


def organisation_managers(organisation_id):
    """The organisation's active managers and administrators."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation=organisation_id,
        memberships__role__in=BACK_OFFICE_ROLES,
    ).distinct()


def active(*people):
    """The people given who are set and may still be told."""
    return [person for person in people if person is not None and person.is_active]


def admin_path(obj):
    """The object's back-office page: where an employee's message leads."""
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
